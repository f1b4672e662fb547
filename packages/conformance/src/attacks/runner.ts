/**
 * Run attacks one after another against one target and collect what each observed. An attack
 * that throws is recorded as an error of the kit, not as a refusal.
 */
import type { Attack, AttackOutcome, AttackTarget } from "./attack";
import { attackRandom } from "./attackRandom";

export interface AttackResult {
  readonly attack: Attack;
  readonly outcome?: AttackOutcome;
  /** The kit itself failed (the attack could not be carried out). */
  readonly error?: string;
  readonly ms: number;
  /** The lab behaved as a correct lab must: refused (or, for a documented SET 1.0 gap, fell). */
  readonly asExpected: boolean;
}

/**
 * A correct lab refuses every attack and records nothing. The attacks that document SET 1.0's
 * known gap under the plain `set` profile are expected to go through: showing that is their point.
 */
export function judge(attack: Attack, outcome: AttackOutcome): boolean {
  if (attack.succeedsUnderSetProfile) return !outcome.refused;
  return outcome.refused && outcome.stateUnchanged;
}

/** Run one attack with its stream of the run seed `seed`: what the runner does for each attack. */
export function runAttack(attack: Attack, target: AttackTarget, seed: number): Promise<AttackOutcome> {
  return attack.run(target, attackRandom(seed, attack.id));
}

export interface RunOptions {
  /** The run seed every attack draws its random choices from (attackRandom.ts). */
  readonly seed: number;
  readonly onResult?: (r: AttackResult) => void;
}

export async function runAttacks(
  attacks: readonly Attack[],
  target: AttackTarget,
  { seed, onResult = () => {} }: RunOptions,
): Promise<AttackResult[]> {
  const results: AttackResult[] = [];
  for (const attack of attacks) {
    const started = Date.now();
    let result: AttackResult;
    try {
      const outcome = await runAttack(attack, target, seed);
      result = { attack, outcome, ms: Date.now() - started, asExpected: judge(attack, outcome) };
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      result = { attack, error, ms: Date.now() - started, asExpected: false };
    }
    results.push(result);
    onResult(result);
  }
  return results;
}
