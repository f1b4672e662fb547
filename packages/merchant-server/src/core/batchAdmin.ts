/**
 * The merchant's settlement batches at its gateway (digest 3.7): BatchAdminReq = Enc(M, P,
 * BatchAdminReqData) to open, close or query a batch, the BatchAdminRes read with every check
 * (`receiveBatchAdminRes`). Batch 0 is the merchant's open batch. Under an idempotency key the
 * request is kept before it leaves, so a repeat of the call sends the same bytes and gets the
 * gateway's stored answer: a repeated `closeBatch()` never closes the batch opened after it.
 */
import { createHash } from "node:crypto";
import {
  formatCurrencyAmount,
  fromHex,
  RemoteSetError,
  receiveBatchAdminRes,
  SetError,
  type schema,
  sealBatchAdminReq,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { answerReceiver } from "./answerReceiver";
import type { CallContext, MerchantContext } from "./context";
import { InputError } from "./inputError";
import type { BrandConfig } from "./merchantConfig";
import { checkIdempotencyKey, OrderInputError } from "./newOrder";
import { keyedTurn, oneAtATime } from "./oneAtATime";

export interface BatchAdminOptions {
  /** The batch (from 1); absent: the merchant's open batch. */
  readonly batchId?: number;
  /** The brand whose gateway keeps the batch; absent: the first brand configured. */
  readonly brand?: string;
  /** 1 to 255 visible ASCII characters; a repeat of the call with it sends the same request. */
  readonly idempotencyKey?: string;
}

/** A value in a currency whose amount may be below zero (a net the merchant owes). */
export interface SignedAmount {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

/**
 * A batch's total for one brand and currency: its sales items (captures and capture reversals)
 * and its credit items (credits and credit reversals), counted and summed, and the net paid.
 */
export interface BatchTotalView {
  readonly brand: string;
  readonly salesCount: number;
  /** Captures less capture reversals. */
  readonly sales: schema.CurrencyAmount;
  readonly creditCount: number;
  /** Credits less credit reversals. */
  readonly credits: schema.CurrencyAmount;
  /** Sales less credits: what the acquirer pays the merchant (below zero: what it owes). */
  readonly net: SignedAmount;
  /** As a person reads them: "USD 12.34". */
  readonly shown: { readonly sales: string; readonly credits: string; readonly net: string };
}

/** What the gateway answered about a batch. */
export interface BatchView {
  /** success, or why not: unknownBatch, batchAlreadyOpen, batchClosed, unspecifiedFailure. */
  readonly code: schema.BatchAdminCode;
  /** The merchant whose batch it is (its MerchantID at the gateway). */
  readonly merchantID: string;
  /** The batch acted on (0: the merchant has no open batch). */
  readonly batchId: number;
  readonly opened?: string;
  readonly closed?: string;
  readonly itemCount?: number;
  readonly totals: readonly BatchTotalView[];
}

/** The gateway gave no usable answer (unreachable, a SET Error, an answer that fails its checks). */
export class BatchAdminError extends Error {
  override readonly name = "BatchAdminError";
}

/** The merchant refuses the call before asking: a bad batch id, an unknown brand. */
export class BatchAdminInputError extends InputError<"invalidBatchId" | "unknownBrand"> {
  override readonly name = "BatchAdminInputError";
}

function brandFor(ctx: MerchantContext, brandID: string | undefined): BrandConfig {
  const brand =
    brandID === undefined ? ctx.config.brands[0] : ctx.config.brands.find((b) => b.brandID === brandID);
  if (!brand) throw new BatchAdminInputError("unknownBrand", `brand ${brandID} is not configured`);
  return brand;
}

function viewOf(data: schema.BatchAdminResData): BatchView {
  const status = data.batchStatus;
  return {
    code: data.batchAdminCode,
    merchantID: data.batchAdminRRTags.merTermIDs.merchantID,
    batchId: data.batchID,
    ...(status ? { opened: status.openDateTime.toISOString() } : {}),
    ...(status?.closedDateTime ? { closed: status.closedDateTime.toISOString() } : {}),
    ...(status?.transactionCount !== undefined ? { itemCount: status.transactionCount } : {}),
    totals: (data.batchTotals ?? []).map((t): BatchTotalView => {
      // receiveBatchAdminRes checked both amounts are in the same currency and exponent.
      const net = { ...t.salesAmount, amount: t.salesAmount.amount - t.creditAmount.amount };
      return {
        brand: t.brandID,
        salesCount: t.salesCount,
        sales: t.salesAmount,
        creditCount: t.creditCount,
        credits: t.creditAmount,
        net,
        shown: {
          sales: formatCurrencyAmount(t.salesAmount),
          credits: formatCurrencyAmount(t.creditAmount),
          net: formatCurrencyAmount(net),
        },
      };
    }),
  };
}

/** A keyed request one call at a time (./oneAtATime.ts): `batchAdminNow`. */
export function batchAdmin(
  ctx: MerchantContext,
  operation: schema.BatchOperation,
  options: BatchAdminOptions,
  call: CallContext,
): Promise<BatchView> {
  const key = options.idempotencyKey;
  const turns = key === undefined ? [] : [keyedTurn("batchAdmin", String(key))];
  return oneAtATime(ctx, turns, () => batchAdminNow(ctx, operation, options, call));
}

async function batchAdminNow(
  ctx: MerchantContext,
  operation: schema.BatchOperation,
  options: BatchAdminOptions,
  call: CallContext,
): Promise<BatchView> {
  const { batchId = 0, idempotencyKey: key } = options;
  if (!Number.isSafeInteger(batchId) || batchId < 0 || batchId > 2147483647 || options.batchId === 0)
    throw new BatchAdminInputError("invalidBatchId", "a batch id is an integer from 1 to 2147483647");
  const brand = brandFor(ctx, options.brand);
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([operation, batchId, brand.brandID]))
    .digest("hex");
  if (key !== undefined) checkIdempotencyKey(key);
  const stored = async () => {
    if (key === undefined) return undefined;
    const found = await ctx.repo.keyedGatewayRequest("batchAdmin", key);
    if (found && found.fingerprint !== fingerprint)
      throw new OrderInputError(
        "idempotencyKeyReused",
        `idempotency key ${key} was used for another batch request`,
      );
    return found;
  };
  let sent = await stored();
  if (!sent) {
    const { p } = ctx;
    const rrpid = p.random(20);
    const date = wholeSeconds(p.now());
    const data: schema.BatchAdminReqData = {
      batchAdminRRTags: { rrpid, merTermIDs: { merchantID: ctx.config.merchantID }, currentDate: date },
      batchID: batchId,
      batchOperation: operation,
    };
    const sealed = await sealBatchAdminReq(p, brand.authSigner, brand.gateway.certificate, data);
    const request = wrapMessage(
      { type: "batchAdministrationRequest", value: sealed },
      { rrpid },
      { date, swIdent: ctx.config.swIdent },
    );
    const input = JSON.stringify({
      operation,
      ...(options.batchId !== undefined ? { batchId } : {}),
      brand: brand.brandID,
    });
    sent = { kind: "batchAdmin", key: key ?? "", fingerprint, rrpid: toHex(rrpid), request, input };
    if (key !== undefined)
      try {
        await ctx.repo.recordKeyedGatewayRequest(sent, p.now());
      } catch (e) {
        const raced = await stored();
        if (!raced) throw e;
        sent = raced;
      }
  }
  let answer: Uint8Array;
  try {
    answer = await ctx.gateway.send(brand.gateway.id, sent.request, call);
  } catch (e) {
    throw new BatchAdminError(`gateway ${brand.gateway.id} did not answer: ${(e as Error).message}`);
  }
  try {
    const received = await receiveBatchAdminRes(
      ctx.p,
      answer,
      {
        rrpid: fromHex(sent.rrpid),
        batchID: batchId,
        brand: brand.brandID,
        gateway: brand.gateway.certificate,
      },
      answerReceiver(ctx, brand),
    );
    // Answered: recovery no longer sends it (a repeat of the call still does, and gets the same answer).
    if (key !== undefined) await ctx.repo.keyedGatewayRequestAnswered("batchAdmin", sent.rrpid, ctx.p.now());
    return viewOf(received.data);
  } catch (e) {
    if (!(e instanceof SetError)) throw e;
    throw new BatchAdminError(
      e instanceof RemoteSetError
        ? `the gateway answered with a SET Error: ${e.code}`
        : `BatchAdminRes refused: ${e.message}`,
    );
  }
}
