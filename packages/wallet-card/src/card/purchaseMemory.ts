/**
 * The card's purchase memory: what it must keep of each purchase it signed to ask the merchant
 * about it later (InqReq, patent S55-S56 after an `orderReceived`), across sessions, in the card's
 * state. It holds no account data: the TransIDs, the merchant's signature certificate (an InqRes
 * must be signed with it), the amount (the status must fit it), whether the PReq was signed (then
 * the InqReq is signed too) and Chall-C, the key of the inquiry proof of a purchase paid unsigned.
 * The newest `maxRemembered` purchases are kept.
 */
import { decodeDer, encodeDer, fromHex, schema, toHex } from "@setlab/protocol";
import type { CardState } from "./cardData";

export const maxRemembered = 8;

export interface RememberedPurchase {
  /** Hex. */
  readonly xid: string;
  /** DER of the TransIDs PInitRes fixed (hex). */
  readonly transIDs: string;
  /** Hex. */
  readonly chall_C: string;
  /** The merchant signature certificate (DER, hex) the PInitRes and PRes came with. */
  readonly merchantCertificate: string;
  readonly purchAmt: schema.CurrencyAmount;
  /** The PReq was dual-signed: its inquiry is signed with the card's key. */
  readonly signed: boolean;
  /** The last CompletionCode the merchant's PRes or InqRes said. */
  readonly completionCode?: string;
  readonly at: string;
}

export function rememberPurchase(
  state: CardState,
  tx: {
    transIDs: schema.TransIDs;
    chall_C: Uint8Array;
    merchant: { der: Uint8Array };
  },
  purchAmt: schema.CurrencyAmount,
  signed: boolean,
  at: Date,
): CardState {
  const xid = toHex(tx.transIDs.xid);
  const entry: RememberedPurchase = {
    xid,
    transIDs: toHex(encodeDer(schema.TransIDs, tx.transIDs)),
    chall_C: toHex(tx.chall_C),
    merchantCertificate: toHex(tx.merchant.der),
    purchAmt,
    signed,
    at: at.toISOString(),
  };
  const others = (state.purchases ?? []).filter((p) => p.xid !== xid);
  return { ...state, purchases: [...others, entry].slice(-maxRemembered) };
}

/** The state with the purchase's latest CompletionCode. */
export function withCompletion(state: CardState, xid: string, completionCode: string): CardState {
  const purchases = state.purchases?.map((p) => (p.xid === xid ? { ...p, completionCode } : p));
  return purchases ? { ...state, purchases } : state;
}

/** The purchase under this XID, or the newest one; undefined when the card remembers none. */
export function rememberedPurchase(state: CardState, xid?: Uint8Array): RememberedPurchase | undefined {
  const all = state.purchases ?? [];
  return xid ? all.find((p) => p.xid === toHex(xid)) : all.at(-1);
}

export const transIDsOf = (p: RememberedPurchase): schema.TransIDs =>
  decodeDer(schema.TransIDs, fromHex(p.transIDs));
