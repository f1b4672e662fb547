/**
 * The cardholder's confirmation of a purchase (patent S36): the phone shows the merchant's name
 * (from its certificate's MerchantData), the amount the card is about to sign and the payment
 * gateway's identity (its key-exchange certificate), and the installment or recurring terms when
 * the purchase has them, and the card signs only after a yes. Nothing shown comes from text the PC
 * supplies, except the order description, which the signature covers as well (HOD); the terms are
 * put into words here from the InstallRecurData the card signs.
 */
import { formatCurrencyAmount, type SetCertificate, type schema } from "@setlab/protocol";

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
  /** The installment or recurring terms the card signs, in words ("every 30 days until 2027-12-31"). */
  readonly terms?: string;
}

export type ConfirmationPolicy = (request: ConfirmationRequest) => Promise<boolean>;

/** Lab and test policy `auto`: every purchase is approved without asking. */
export const autoApprove: ConfirmationPolicy = async () => true;

/** Policy `deny`: every purchase is refused, as a cardholder pressing "no" would. */
export const denyAll: ConfirmationPolicy = async () => false;

/**
 * The amount as a person reads it, exactly: ISO 4217 alphabetic code and decimal value, with no
 * floating point on the way ("USD 12.34", never "1.234e+21" or a rounded figure).
 */
export function formatAmount(amt: schema.CurrencyAmount): string {
  return formatCurrencyAmount(amt);
}

/** The subject commonName of a certificate (its full subject when it has none). */
export function commonNameOf(cert: SetCertificate): string {
  const cn = cert.commonName;
  return cn !== undefined && cn.length > 0 ? cn : cert.subject;
}
