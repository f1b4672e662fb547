/**
 * The card's side of the patent's first embodiment: it answers the shop's request for personal
 * information with its certificate and card information, signed with its key, once the
 * cardholder said yes; then it checks the merchant's signed outcome. Unlike the third embodiment
 * the card cannot check the shop before it answers (the request is unsigned), and the card
 * information it gives away includes the PAN: docs/threat-model.md says what that costs.
 */
import {
  type CardDataValue,
  type CryptoProvider,
  RemoteSetError,
  receiveE1InfoReq,
  receiveE1Result,
  SetError,
  type schema,
  signE1InfoRes,
  toHex,
} from "@setlab/protocol";
import type { Card, TransactionSummary } from "./cardData";
import type { ConfirmationPolicy } from "./confirmation";

/** The card's own record of an embodiment 1 exchange it answered: what the result must echo. */
export interface E1Pending {
  readonly xid: Uint8Array;
  readonly chall_C: Uint8Array;
  readonly purchAmt: schema.CurrencyAmount;
  readonly lidM: string;
}

/** What the cardholder sees: the shop is not verified in this embodiment, and says so. */
export const unverifiedShop = "shop not verified (embodiment 1)";

/**
 * E1_CARD_INFO: check the request, ask the cardholder, sign the card information. Returns the
 * wrapped E1InfoRes and what the result must echo; undefined when the cardholder said no.
 */
export async function answerE1InfoReq(
  env: { readonly p: CryptoProvider; readonly confirm: ConfirmationPolicy },
  card: Card,
  request: Uint8Array,
  now: Date,
): Promise<{ readonly infoRes: Uint8Array; readonly pending: E1Pending } | undefined> {
  const req = receiveE1InfoReq(request, { brand: card.data.brand }, { now });
  const lidM = new TextDecoder().decode(req.lid_M);
  let approved = false;
  try {
    approved =
      (await env.confirm({
        cardId: card.data.cardId,
        merchantName: unverifiedShop,
        merID: "-",
        purchAmt: req.purchAmt,
        gateway: "-",
        description: `order ${lidM}`,
      })) === true;
  } catch {
    approved = false;
  }
  if (!approved) return undefined;
  const chall_C = env.p.random(20);
  const infoRes = await signE1InfoRes(
    env.p,
    { certificate: card.data.certificate, privateKey: card.privateKey, chain: card.data.chain },
    {
      lid_M: req.lid_M,
      xid: req.xid,
      chall_M: req.chall_M,
      chall_C,
      purchAmt: req.purchAmt,
      brandID: card.data.brand,
      pan: card.data.pan,
      cardExpiry: card.data.expiry,
      panSecret: card.data.panSecret,
    },
    now,
  );
  return { infoRes, pending: { xid: req.xid, chall_C, purchAmt: req.purchAmt, lidM } };
}

/**
 * E1_RESULT: the merchant's signed outcome, checked against the card's pinned root and its own
 * challenge; a merchant refusal is an outcome too. A result that fails a check throws (6F00) and
 * leaves the card waiting for the genuine one.
 */
export async function readE1Result(
  p: CryptoProvider,
  card: Card,
  pending: E1Pending,
  data: Uint8Array,
  now: Date,
): Promise<{ readonly outcome: CardDataValue<"PurchaseOutcome">; readonly summary: TransactionSummary }> {
  const base = {
    xid: toHex(pending.xid),
    purchAmt: pending.purchAmt,
    phase: "completed",
    at: now.toISOString(),
  };
  try {
    const { data: result, merchant } = await receiveE1Result(
      p,
      data,
      { xid: pending.xid, chall_C: pending.chall_C, brand: card.data.brand },
      { trust: { pinnedRoot: card.data.root, at: now } },
    );
    const names = merchant.merchantData?.merNameSeq ?? [];
    const merchantName = names[0]?.name ?? merchant.subject;
    return {
      outcome: {
        type: "pRes",
        value: {
          completionCode: result.completionCode,
          ...(result.authAmt ? { authAmt: result.authAmt } : {}),
        },
      },
      summary: {
        ...base,
        merchantName,
        merID: merchant.merchantData?.merID ?? "-",
        completionCode: result.completionCode,
      },
    };
  } catch (e) {
    if (!(e instanceof RemoteSetError)) throw e;
    return {
      outcome: { type: "error", value: { errorCode: e.code, signed: false } },
      summary: { ...base, merchantName: unverifiedShop, merID: "-", error: e.code },
    };
  }
}

/** The card's brand is not among the shop's: not a SET check, a bad request for this card. */
export const isBrandRefusal = (e: unknown) => e instanceof SetError && e.where === "E1InfoReq.brands";
