/**
 * The embodiment attacks (./embodimentReplay.ts) against a running lab: each refused by the party
 * that must refuse it, with nothing recorded because of it.
 */
import { runAttack } from "../runner";
import { useTestLab } from "../toolkit/labFixture";
import {
  e1InfoResReplay,
  e2CardInfoReplay,
  e2NonForwardCleared,
  e2SessionKeyOtherOrder,
} from "./embodimentReplay";

const seed = 20261206;

jest.setTimeout(120_000);

const lab = useTestLab("attacks-embodiment");

describe("replays and a lying PC under the patent's first and second embodiments", () => {
  it("the first embodiment's card information sent again: unknownXID, one approval", async () => {
    const o = await runAttack(e1InfoResReplay, lab.target, seed);
    expect(o.signal).toBe("unknownXID");
    expect(o.detail).toMatch(/1 approved authorization/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it("the second embodiment's card information sent again: unknownXID, one approval", async () => {
    const o = await runAttack(e2CardInfoReplay, lab.target, seed);
    expect(o.signal).toBe("unknownXID");
    expect(o.detail).toMatch(/1 approved authorization/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it("another order's session key at the card: refused by the card, no order shown", async () => {
    const o = await runAttack(e2SessionKeyOtherOrder, lab.target, seed);
    expect(o.refusedBy).toBe("card");
    expect(o.signal).toMatch(/^6F00 /);
    expect(o.detail).toMatch(/no order for the buyer/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it("the non-forward order with its flag cleared, sent to the shop: messageNotSupported, the order still initiated", async () => {
    const o = await runAttack(e2NonForwardCleared, lab.target, seed);
    expect(o.signal).toBe("messageNotSupported");
    expect(o.detail).toMatch(/order initiated/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});
