/** Jest assertion shared by the gateway attack tests: the attack was refused by `party` and changed nothing. */
import type { Attack, AttackOutcome, AttackTarget } from "../attack";

export async function expectRefusedByGateway(
  attack: Attack,
  target: AttackTarget,
  party: AttackOutcome["refusedBy"] = "gateway",
): Promise<AttackOutcome> {
  const outcome = await attack.run(target);
  // A failure's diff shows the whole outcome, its detail (what was observed) included.
  expect(outcome).toMatchObject({ refused: true, stateUnchanged: true, refusedBy: party });
  return outcome;
}
