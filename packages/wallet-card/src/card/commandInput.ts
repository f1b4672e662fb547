/**
 * The inputs of PINIT_REQUEST and PURCHASE (SetLabCard.asn, read by `decodeCardData`): anything
 * else is 6A80 (bad data), or 6700 when over its size, before the card does any work.
 */
import {
  decodeCardData,
  type PInitRequestInput,
  type PurchaseForm,
  type PurchaseInput,
  type PurchaseProfile,
} from "@setlab/protocol";

export type { PInitRequestInput, PurchaseForm, PurchaseInput, PurchaseProfile };

export const readPInitRequestInput = (data: Uint8Array): PInitRequestInput =>
  decodeCardData("PInitRequestInput", data);

export const readPurchaseInput = (data: Uint8Array): PurchaseInput => decodeCardData("PurchaseInput", data);

/** Two PURCHASE inputs ask for the same thing (a re-sent command, not a new purchase). */
export function samePurchase(a: PurchaseInput, b: PurchaseInput): boolean {
  return (
    Buffer.from(a.od).equals(Buffer.from(b.od)) &&
    a.purchAmt.currency === b.purchAmt.currency &&
    a.purchAmt.amount === b.purchAmt.amount &&
    a.purchAmt.amtExp10 === b.purchAmt.amtExp10 &&
    a.profile === b.profile &&
    a.form === b.form
  );
}
