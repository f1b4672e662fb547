/**
 * What a capture reversal, a credit or a credit reversal may do to the capture it names, given the
 * gateway's record of that capture: the rule of issue "credited <= captured" in one place. Pure:
 * the gateway reads its ledger inside its serialized decision and asks here.
 *
 * - A capture reversal undoes all of a capture (CapRevOrCredReqAmt, when stated, must be the
 *   captured amount), once, and only while no credit stands against it (originalProcessed: the
 *   credits are reversed first, or the money would go back twice).
 * - A credit returns at most what was captured less what stands credited (credits less credit
 *   reversals), and not after the capture was reversed.
 * - A credit reversal takes back at most what stands credited.
 * - The same request made again under new ids (same kind, same authorization, same
 *   CapRevOrCredReqDate) is duplicateRequest: the merchant dates each credit once and keeps the
 *   date for every retry, so a credit already given is never given twice.
 */
import type { CapRevOrCredCode } from "../schema/payment";
import type { CapRevOrCredKind } from "./capRevOrCred";
import type { CapRevOrCredItem } from "./receiveCapRevOrCredReq";

/** The gateway's record of one capture, amounts in minor units of `currency`. */
export interface CaptureStanding {
  readonly amount: bigint;
  readonly currency: number;
  /** The capture was reversed. */
  readonly reversed: boolean;
  /** All credits given against it, and all credit reversals. */
  readonly credited: bigint;
  readonly creditReversed: bigint;
  /** The requests already booked against this capture: kind and CapRevOrCredReqDate (ISO). */
  readonly booked: readonly { readonly kind: CapRevOrCredKind; readonly date: string }[];
}

export type CaptureJudgement =
  | { readonly ok: true; readonly amount: bigint }
  | {
      readonly ok: false;
      readonly code: Extract<
        CapRevOrCredCode,
        "originalNotFound" | "originalProcessed" | "capDataMismatch" | "amountError" | "duplicateRequest"
      >;
      readonly reason: string;
    };

const no = (code: Extract<CaptureJudgement, { ok: false }>["code"], reason: string): CaptureJudgement => ({
  ok: false,
  code,
  reason,
});

/** The amount `item` moves (minor units), or why it may not. `capture` undefined: never captured. */
export function judgeAgainstCapture(
  kind: CapRevOrCredKind,
  item: CapRevOrCredItem,
  capture: CaptureStanding | undefined,
): CaptureJudgement {
  if (!capture) return no("originalNotFound", "the authorization was never captured");
  if (capture.currency !== item.currency || capture.amount !== item.captured)
    return no("capDataMismatch", "CapPayload does not name the capture on record");
  const date = item.item.capRevOrCredReqDate.toISOString();
  if (capture.booked.some((b) => b.kind === kind && b.date === date))
    return no("duplicateRequest", "the same request was already booked under other ids");
  if (capture.reversed) return no("originalNotFound", "the capture was reversed");
  const standingCredit = capture.credited - capture.creditReversed;
  if (kind === "captureReversal") {
    if (standingCredit > 0n) return no("originalProcessed", "credits stand against the capture");
    if (item.amount !== undefined && item.amount !== capture.amount)
      return no("amountError", "a capture reversal undoes the whole capture");
    return { ok: true, amount: capture.amount };
  }
  // receiveCapRevOrCredReq accepts no credit or credit reversal without an amount.
  const amount = item.amount ?? 0n;
  if (kind === "credit") {
    if (amount > capture.amount - standingCredit)
      return no("amountError", "the credit is over what was captured less what stands credited");
    return { ok: true, amount };
  }
  if (standingCredit === 0n) return no("originalNotFound", "no credit stands against the capture");
  if (amount > standingCredit) return no("amountError", "the credit reversal is over what stands credited");
  return { ok: true, amount };
}
