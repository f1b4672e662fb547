/**
 * What every gateway attack ends with: send forged bytes to the gateway, read its answer as the
 * merchant would, and judge it: the expected SET Error (or decline) and no authorization or hold
 * recorded for the attacked transaction.
 */
import type { AttackOutcome, AttackTarget } from "../attack";
import { AuthReqForger, type GatewayAnswer } from "../toolkit/authReqForger";
import { authorizationsOf, heldOn, postSetRaw } from "../toolkit/gatewayProbe";

const forgers = new Map<string, AuthReqForger>();

/** One forger per PKI directory (its signature keys are decrypted once). */
export function forgerOf(target: AttackTarget): AuthReqForger {
  let f = forgers.get(target.pki);
  if (!f) {
    f = new AuthReqForger(target.pki);
    forgers.set(target.pki, f);
  }
  return f;
}

export const gatewaySet = (target: AttackTarget) => `${target.gatewayUrl}/set`;

export function describe(a: GatewayAnswer): string {
  switch (a.type) {
    case "error":
      return `SET Error ${a.code}${a.signed ? " (signed)" : ""}`;
    case "authRes":
      return `AuthRes ${a.authCode}`;
    case "empty":
      return "an empty answer";
    default:
      return `an unreadable answer (${a.reason})`;
  }
}

export const signalOf = (a: GatewayAnswer) =>
  a.type === "error" ? a.code : a.type === "authRes" ? a.authCode : a.type;

export interface Expectation {
  /** SET ErrorCodes that count as the right refusal. */
  readonly errors?: readonly string[];
  /** AuthCodes of a decline that count as the right refusal. */
  readonly declines?: readonly string[];
}

export function isExpected(a: GatewayAnswer, e: Expectation): boolean {
  if (a.type === "error") return (e.errors ?? []).includes(a.code);
  if (a.type === "authRes") return (e.declines ?? []).includes(a.authCode);
  return false;
}

/**
 * POST one AuthReq and judge the gateway: the expected refusal, no approved authorization for
 * `xidHex` beyond `approvedBefore`, and the card's hold unchanged.
 */
export async function sendAndJudge(
  target: AttackTarget,
  bytes: Uint8Array,
  xidHex: string,
  expected: Expectation,
  options: { card?: string; approvedBefore?: number; note?: string; kexId?: string } = {},
): Promise<AttackOutcome & { answer: GatewayAnswer }> {
  const f = forgerOf(target);
  const card = options.card ?? "visa-approve";
  const heldBefore = await heldOn(target.gatewayUrl, card);
  const raw = await postSetRaw(gatewaySet(target), bytes);
  const answer =
    raw.status === 200
      ? await f.read(raw.body, options.kexId)
      : ({ type: "unreadable", reason: `HTTP ${raw.status}` } as const);
  const rows = await authorizationsOf(target.gatewayUrl, xidHex);
  const approved = rows.filter((r) => r.authCode === "approved").length;
  const heldAfter = await heldOn(target.gatewayUrl, card);
  const stateUnchanged = approved === (options.approvedBefore ?? 0) && heldAfter === heldBefore;
  const refused = isExpected(answer, expected);
  return {
    answer,
    refused,
    refusedBy: "gateway",
    signal: signalOf(answer),
    stateUnchanged,
    detail: `gateway answered ${describe(answer)}; ${approved} approved authorization(s) for the XID, hold ${heldBefore} -> ${heldAfter}${options.note ? `; ${options.note}` : ""}`,
  };
}

/** An outcome for an attack whose fixture (`attack/` ids of set-ca init) is missing. */
export function missingFixture(id: string): never {
  throw new Error(`the lab PKI has no ${id} (set-ca init without attack fixtures)`);
}
