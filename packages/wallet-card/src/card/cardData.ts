/**
 * What an IC card holds: its personalization (account data, secrets, certificates, pinned root,
 * PIN reference) and its mutable state (PIN retry counter, last transaction). The signature key
 * is a non-extractable CryptoKey of the card's own crypto implementation.
 */
import type { schema } from "@setlab/protocol";
import type { RememberedPurchase } from "./purchaseMemory";

/** PIN tries a card allows before it locks (6983). */
export const PIN_TRIES = 3;

export interface CardPersonalization {
  readonly cardId: string;
  readonly brand: string;
  readonly pan: string;
  /** CardExpiry, YYYYMM. */
  readonly expiry: string;
  readonly panSecret: Uint8Array;
  /** Random at personalization; keys TransStain = HMAC(CardSecret, XID). */
  readonly cardSecret: Uint8Array;
  readonly language: string;
  /** The cardholder certificate (DER). */
  readonly certificate: Uint8Array;
  /** The CA certificates above it, issuer first, without the root. */
  readonly chain: readonly Uint8Array[];
  /** The SET root this card trusts (pinned at personalization). */
  readonly root: Uint8Array;
  /**
   * Thumbprints (SHA-256 of the TBSCertificate) of the brand's payment gateway key-exchange
   * certificates. A card with pins runs the hardened profile on every purchase and encrypts the
   * PAN to no other gateway; a card without pins follows the PURCHASE command's profile.
   */
  readonly gatewayThumbs: readonly Uint8Array[];
  /** PIN reference: SHA-256(pinSalt || PIN digits). */
  readonly pinSalt: Uint8Array;
  readonly pinDigest: Uint8Array;
}

/** A summary of the last transaction, kept by the card without any account data. */
export interface TransactionSummary {
  readonly xid: string;
  readonly merchantName: string;
  readonly merID: string;
  readonly purchAmt?: schema.CurrencyAmount;
  readonly phase: string;
  readonly completionCode?: string;
  readonly error?: string;
  readonly at: string;
}

export interface CardState {
  readonly pinTriesLeft: number;
  readonly locked: boolean;
  readonly lastTransaction?: TransactionSummary;
  /**
   * Per BrandID, the highest BrandCRLIdentifier sequenceNum of a PInitRes the card accepted: an
   * older BCI (with the CRLs it names) is refused from then on.
   */
  readonly bciSequence?: Readonly<Record<string, number>>;
  /** The purchases the card signed, newest last, for InqReq (purchaseMemory.ts). */
  readonly purchases?: readonly RememberedPurchase[];
}

export const freshCardState = (): CardState => ({ pinTriesLeft: PIN_TRIES, locked: false });

/** A card as the applet runs it: personalization, its key, its state, and where the state is kept. */
export interface Card {
  readonly data: CardPersonalization;
  /** RSASSA-PKCS1-v1_5 SHA-256, non-extractable. */
  readonly privateKey: CryptoKey;
  state: CardState;
  /** Writes the state durably before the card answers (the card's EEPROM). */
  readonly persist: (state: CardState) => Promise<void>;
}

/** First six digits of the PAN: what PInitReq and OIData carry. */
export const binOf = (pan: string) => pan.slice(0, 6);

/** Card ids name files in the phone's data directory: a strict alphabet keeps them inside it. */
export const CARD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
