/**
 * The cardholder's confirmation of a purchase (patent S36): the phone shows the merchant's name
 * (from its certificate's MerchantData), the amount the card is about to sign and the payment
 * gateway's identity (its key-exchange certificate), and the card signs only after a yes. Nothing
 * shown comes from text the PC supplies, except the order description, which the signature
 * covers as well (HOD).
 */
import type { SetCertificate, schema } from "@setlab/protocol";

export interface ConfirmationRequest {
  readonly cardId: string;
  /** MerchantData.merNameSeq of the certificate that signed PInitRes. */
  readonly merchantName: string;
  readonly merID: string;
  /** The PurchAmt the card signs (PIHead.inputs and HOD). */
  readonly purchAmt: schema.CurrencyAmount;
  /** Subject commonName of the gateway key-exchange certificate the PAN will be encrypted to. */
  readonly gateway: string;
  /** The order description as text (UTF-8, as the merchant described the order). */
  readonly description: string;
}

export type ConfirmationPolicy = (request: ConfirmationRequest) => Promise<boolean>;

/** Lab and test policy `auto`: every purchase is approved without asking. */
export const autoApprove: ConfirmationPolicy = async () => true;

/** Policy `deny`: every purchase is refused, as a cardholder pressing "no" would. */
export const denyAll: ConfirmationPolicy = async () => false;

/** The amount as a person reads it: decimal value and ISO 4217 numeric currency. */
export function formatAmount(amt: schema.CurrencyAmount): string {
  const value =
    amt.amtExp10 >= 0 ? String(amt.amount * 10 ** amt.amtExp10) : decimal(amt.amount, -amt.amtExp10);
  return `${value} (ISO 4217 currency ${amt.currency})`;
}

function decimal(amount: number, places: number): string {
  const digits = String(Math.abs(amount)).padStart(places + 1, "0");
  return `${amount < 0 ? "-" : ""}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** The subject commonName of a certificate (its full subject when it has none). */
export function commonNameOf(cert: SetCertificate): string {
  const cn = cert.commonName;
  return cn !== undefined && cn.length > 0 ? cn : cert.subject;
}
