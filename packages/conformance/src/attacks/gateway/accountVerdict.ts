/**
 * How an attack on a request after the authorization (AuthRevReq, CapReq, CapRevReq/CredReq/
 * CredRevReq, a subsequent AuthReq) is judged: refused by the expected code (the message's own
 * code or a SET Error's), with the lab card's account (its holds and postings, the issuer's view)
 * the same before and after.
 */
import type { AttackOutcome, AttackTarget } from "../attack";
import type { GatewayAnswer } from "../toolkit/authReqForger";
import { describeReversal, type ReversalAnswer } from "../toolkit/authRevReqForger";
import { type CaptureAnswer, captureSignal, describeCapture } from "../toolkit/capReqForger";
import {
  type CapRevOrCredAnswer,
  capRevOrCredSignal,
  describeCapRevOrCred,
} from "../toolkit/capRevOrCredForger";
import { accountOf } from "../toolkit/labHttp";
import { describe, signalOf } from "./gatewayVerdict";

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

/** One kind of answer as an attack reads it: its code (none when unreadable) and what it says. */
export interface AnswerReading<A> {
  readonly signalOf: (answer: A) => string | undefined;
  readonly describe: (answer: A) => string;
  /** The code of the answer to a request done as asked. */
  readonly success: string;
}

/** A CapRes: its item's CapCode, or a SET Error's code. */
export const captureAnswers: AnswerReading<CaptureAnswer> = {
  signalOf: captureSignal,
  describe: describeCapture,
  success: "success",
};

/** A CapRevRes, CredRes or CredRevRes: its item's CapRevOrCredCode, or a SET Error's code. */
export const capRevOrCredAnswers: AnswerReading<CapRevOrCredAnswer> = {
  signalOf: capRevOrCredSignal,
  describe: describeCapRevOrCred,
  success: "success",
};

/** An AuthRevRes: its AuthRevCode, or a SET Error's code. */
export const reversalAnswers: AnswerReading<ReversalAnswer> = {
  signalOf: (a) => (a.type === "unreadable" ? undefined : a.code),
  describe: describeReversal,
  success: "approved",
};

/** An AuthRes: its AuthCode, or a SET Error's code. */
export const authorizationAnswers: AnswerReading<GatewayAnswer> = { signalOf, describe, success: "approved" };

/**
 * The answer to a genuine request an attack starts from: it must be a success, or the lab is not
 * as the attack assumes and the attack cannot be judged (`what` names the request in the error).
 */
export function genuine<A, Sent extends { readonly answer: A }>(
  reading: AnswerReading<A>,
  what: string,
  sent: Sent,
): Sent {
  if (reading.signalOf(sent.answer) !== reading.success)
    throw new Error(`the genuine ${what} failed: ${reading.describe(sent.answer)}`);
  return sent;
}

/** `send` once, the account read before and after: refused by one of `codes`, the account unchanged. */
export async function refusedOnAccount<A>(
  target: AttackTarget,
  reading: AnswerReading<A>,
  codes: readonly string[],
  send: () => Promise<{ readonly answer: A }>,
): Promise<AttackOutcome> {
  const before = await account(target);
  const { answer } = await send();
  return accountVerdict(
    reading.signalOf(answer),
    reading.describe(answer),
    codes,
    before,
    await account(target),
  );
}

/**
 * A request the gateway answered (`first`) sent again byte for byte: refused when the gateway
 * answers the stored answer (`stored` names it) byte for byte and the account is unchanged.
 */
export async function replayedOnAccount<A>(
  target: AttackTarget,
  reading: AnswerReading<A>,
  stored: string,
  first: { readonly raw: Uint8Array },
  send: () => Promise<{ readonly raw: Uint8Array; readonly answer: A }>,
): Promise<AttackOutcome> {
  const before = await account(target);
  const again = await send();
  const after = await account(target);
  const identical = Buffer.from(again.raw).equals(Buffer.from(first.raw));
  return {
    refused: identical,
    refusedBy: "gateway",
    signal: identical ? `stored ${stored}` : reading.describe(again.answer),
    stateUnchanged: before === after,
    detail: `second send answered ${identical ? `the stored ${stored} byte for byte` : "other bytes"}; account ${before === after ? "unchanged" : "changed"}`,
  };
}
