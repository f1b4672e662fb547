import type { AttackOutcome } from "../attack";
import { startTestLab, type TestLab } from "../toolkit/labFixture";
import {
  pInitReqRrpidReuse,
  preqDuplicate,
  preqOldChallM,
  preqRrpidReuse,
  preqXidReuseOtherAmount,
} from "./merchantReplay";

jest.setTimeout(120_000);

let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab("attacks-replay");
});
afterAll(async () => {
  await lab?.stop();
});

const expectRefused = (o: AttackOutcome, signals: string[]) => {
  expect(o.detail).not.toMatch(/SECRET IN LOGS/);
  expect(signals).toContain(o.signal);
  expect(o.refusedBy).toBe("merchant");
  expect(o.stateUnchanged).toBe(true);
  expect(o.refused).toBe(true);
};

describe("replays at the merchant", () => {
  it("a duplicate PReq gets the stored PRes byte for byte and no second authorization", async () => {
    expectRefused(await preqDuplicate.run(lab.target), ["stored PRes (duplicate)"]);
  });
  it("a PReq with an earlier transaction's Chall-M is refused", async () => {
    expectRefused(await preqOldChallM.run(lab.target), ["challengeMismatch"]);
  });
  it("a PReq re-using a taken RRPID is refused", async () => {
    expectRefused(await preqRrpidReuse.run(lab.target), ["unknownRRPID"]);
  });
  it("a PInitReq re-using a taken RRPID for another order is refused", async () => {
    expectRefused(await pInitReqRrpidReuse.run(lab.target), ["unknownRRPID"]);
  });
  it("a second PReq under an authorized XID with another amount is refused", async () => {
    const o = await preqXidReuseOtherAmount.run(lab.target);
    expect(o.detail).toMatch(/1 approved authorization/);
    expect(o.refused).toBe(true);
    expect(o.stateUnchanged).toBe(true);
  });
});
