/** Jest assertion shared by the gateway attack tests: the attack was refused by `party` and changed nothing. */
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import { runAttack } from "../runner";

/** The run seed of the gateway attack tests. */
const seed = 20261126;

export async function expectRefusedByGateway(
  attack: Attack,
  target: AttackTarget,
  party: AttackOutcome["refusedBy"] = "gateway",
): Promise<AttackOutcome> {
  const outcome = await runAttack(attack, target, seed);
  if (process.env.SETLAB_ATTACK_DEBUG) console.log(attack.id, outcome.detail);
  const { refused, stateUnchanged, refusedBy } = outcome;
  // The failure message carries what was observed (the outcome's detail).
  expect([{ refused, stateUnchanged, refusedBy }, outcome.detail]).toEqual([
    { refused: true, stateUnchanged: true, refusedBy: party },
    outcome.detail,
  ]);
  return outcome;
}
