/**
 * An attack's outcome from what it observed: who refused and with what signal, what the state
 * witness saw change, and what the log scanner found. A secret in any log makes the outcome a
 * failure of the lab, whatever else happened.
 */
import type { AttackOutcome, AttackTarget } from "../attack";
import { describeFindings, scanLogs } from "./logScan";

export interface Observed {
  readonly refused: boolean;
  readonly refusedBy?: AttackOutcome["refusedBy"];
  readonly signal?: string;
  /** What the state witness saw change (empty: nothing). */
  readonly changed: readonly string[];
  readonly detail: string;
}

export function verdict(target: AttackTarget, o: Observed): AttackOutcome {
  const leaks = scanLogs(target.home, target.pki);
  const detail = [
    o.detail,
    o.changed.length > 0 ? `changed: ${o.changed.join(", ")}` : "",
    leaks.length > 0 ? `SECRET IN LOGS: ${describeFindings(leaks)}` : "",
  ]
    .filter(Boolean)
    .join("; ");
  return {
    refused: o.refused && leaks.length === 0,
    ...(o.refusedBy ? { refusedBy: o.refusedBy } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    stateUnchanged: o.changed.length === 0,
    detail,
  };
}

/** Whether a SET answer or card code is one of the expected ones. */
export const oneOf = (signal: string | undefined, expected: readonly string[]) =>
  signal !== undefined && expected.includes(signal);
