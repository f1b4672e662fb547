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
 * - Settlement is final: a capture whose batch is closed is not reversed, and a credit reversal
 *   takes back only what stands credited in the merchant's open batch (originalProcessed: the
 *   settled money comes back by a credit, or not at all), as an acquirer voids only unsettled
 *   items. So a batch's sales and its credits never sum below zero.
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
  /**
   * What of it is settled, for a ledger that keeps batches: the capture's batch is closed, and
   * what stands credited in the merchant's open batch (credits less credit reversals there).
   * Absent: nothing is settled.
   */
  readonly settlement?: { readonly captureSettled: boolean; readonly openCredit: bigint };
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
    if (capture.settlement?.captureSettled)
      return no("originalProcessed", "the capture's batch is closed: it is settled");
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
  const openCredit = capture.settlement?.openCredit ?? standingCredit;
  if (openCredit === 0n) return no("originalProcessed", "the credits standing are settled");
  if (amount > openCredit)
    return no("amountError", "the credit reversal is over what stands credited in the open batch");
  return { ok: true, amount };
}
