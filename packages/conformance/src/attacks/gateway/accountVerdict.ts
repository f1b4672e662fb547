/**
 * How an attack on a request after the authorization (AuthRevReq, CapReq, CapRevReq/CredReq/
 * CredRevReq, a subsequent AuthReq) is judged: refused by the expected code (the message's own
 * code or a SET Error's), with the lab card's account (its holds and postings, the issuer's view)
 * the same before and after.
 */
import type { AttackOutcome, AttackTarget } from "../attack";
import { captureSignal, describeCapture } from "../toolkit/capReqForger";
import { capRevOrCredSignal, describeCapRevOrCred } from "../toolkit/capRevOrCredForger";
import { accountOf } from "../toolkit/labHttp";

const card = "visa-approve";

/** The lab card's account as the issuer shows it, to compare before and after an attack. */
export const account = async (target: AttackTarget) => JSON.stringify(await accountOf(target, card));

/** Refused when `signal` (what the gateway answered) is one of `codes` and the account unchanged. */
export function accountVerdict(
  signal: string | undefined,
  described: string,
  codes: readonly string[],
  before: string,
  after: string,
): AttackOutcome {
  return {
    refused: signal !== undefined && codes.includes(signal),
    refusedBy: "gateway",
    ...(signal ? { signal } : {}),
    stateUnchanged: before === after,
    detail: `${described}; account ${before === after ? "unchanged" : "changed"}`,
  };
}

/** `accountVerdict` for one kind of answer: its code read by `signalOf`, described by `describe`. */
export const accountJudge =
  <A>(signalOf: (a: A) => string | undefined, describe: (a: A) => string) =>
  (answer: A, codes: readonly string[], before: string, after: string): AttackOutcome =>
    accountVerdict(signalOf(answer), describe(answer), codes, before, after);

/** A CapReq attack: refused by its item's CapCode or a SET Error's code. */
export const captureJudged = accountJudge(captureSignal, describeCapture);

/** A CapRevReq, CredReq or CredRevReq attack: refused by its item's CapRevOrCredCode or a SET Error's code. */
export const capRevOrCredJudged = accountJudge(capRevOrCredSignal, describeCapRevOrCred);
