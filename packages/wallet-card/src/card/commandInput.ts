/**
 * The inputs of PINIT_REQUEST and PURCHASE (SetLabCard.asn, read by `decodeCardData`): anything
 * else is 6A80 (bad data), or 6700 when over its size, before the card does any work.
 */
import {
  CardDataError,
  decodeCardData,
  decodeDer,
  type PInitRequestInput,
  type PurchaseForm,
  type PurchaseInput,
  type PurchaseProfile,
  schema,
} from "@setlab/protocol";

export type { PInitRequestInput, PurchaseForm, PurchaseInput, PurchaseProfile };

export const readPInitRequestInput = (data: Uint8Array): PInitRequestInput =>
  decodeCardData("PInitRequestInput", data);

/** PURCHASE's input; the installment or recurring terms, when given, decode strictly (6A80 otherwise). */
export function readPurchaseInput(data: Uint8Array): PurchaseInput {
  const input = decodeCardData("PurchaseInput", data);
  if (input.installRecurData) termsOf(input);
  return input;
}

/** The InstallRecurData a PURCHASE input carries, decoded. */
export function termsOf(input: PurchaseInput): schema.InstallRecurData | undefined {
  if (!input.installRecurData) return undefined;
  try {
    return decodeDer(schema.InstallRecurData, input.installRecurData, "PurchaseInput.installRecurData");
  } catch {
    throw new CardDataError(
      "decodingFailure",
      "installRecurData is not an InstallRecurData",
      "PurchaseInput",
    );
  }
}

/** Two PURCHASE inputs ask for the same thing (a re-sent command, not a new purchase). */
export function samePurchase(a: PurchaseInput, b: PurchaseInput): boolean {
  return (
    Buffer.from(a.od).equals(Buffer.from(b.od)) &&
    a.purchAmt.currency === b.purchAmt.currency &&
    a.purchAmt.amount === b.purchAmt.amount &&
    a.purchAmt.amtExp10 === b.purchAmt.amtExp10 &&
    a.profile === b.profile &&
    a.form === b.form &&
    Buffer.from(a.installRecurData ?? []).equals(Buffer.from(b.installRecurData ?? []))
  );
}
