/** Keeping a buyer from paying (locking an order, slow HTTP), against a running lab (one lab for this file). */
import type { AttackOutcome } from "../attack";
import { runAttack } from "../runner";
import { useTestLab } from "../toolkit/labFixture";
import { strangerPInitReq, strangerPInitReqsBeforePReq, strangerUnsignedPReqDecline } from "./orderLockout";
import { slowBodies } from "./slowBodies";

const seed = 20261206;

jest.setTimeout(120_000);

const lab = useTestLab("attacks-lockout");

const expectBuyerPays = (o: AttackOutcome) => {
  expect(o.detail).not.toMatch(/SECRET IN LOGS/);
  expect(o.signal).toBe("authorized");
  expect(o.refused).toBe(true);
  expect(o.stateUnchanged).toBe(true);
};

it("a stranger's PInitReq before the buyer's does not take the order", async () => {
  expectBuyerPays(await runAttack(strangerPInitReq, lab.target, seed));
});

it("a stranger's PInitReqs between the buyer's PInitReq and PReq do not turn the buyer's PReq away", async () => {
  const o = await runAttack(strangerPInitReqsBeforePReq, lab.target, seed);
  expectBuyerPays(o);
  expect(o.detail).toMatch(/got 8 XIDs of its own/);
});

it("a stranger's declined unsigned PReq does not close the order: the buyer pays it", async () => {
  const o = await runAttack(strangerUnsignedPReqDecline, lab.target, seed);
  expectBuyerPays(o);
  expect(o.detail).toMatch(/left the order declined/);
});

it("slow headers and bodies: the purchase completes and the parties close every slow connection (408)", async () => {
  const o = await runAttack(slowBodies, lab.target, seed);
  expect(o.detail).toMatch(/purchase completed; the parties closed all 24 slow connections/);
  expect(o.signal).toMatch(/408/);
  expect(o.refused).toBe(true);
}, 90_000);
