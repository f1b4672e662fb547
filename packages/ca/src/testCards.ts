/**
 * The lab's test cards: Luhn-valid PANs with a deterministic issuer outcome, like the magic
 * numbers payment sandboxes publish. `set-ca init` issues a cardholder certificate for each; the
 * issuer simulator of issue 4 (acquirer-server) is meant to share this table, so a PAN means the
 * same thing to the CA, the card and the issuer.
 *
 * The PANs are test numbers under lab BINs (411111 for the Visa-like brand, 555555 for the
 * MasterCard-like one). They are not secrets, but the rest of the code treats every PAN as one:
 * certificates carry only the hashed account identity, and logs never show a PAN.
 */

/** What the simulated issuer answers for the card. `expiredCard` is the issuer's verdict, while
 * the printed expiry stays in the future so the card can still be certified. */
export type TestCardOutcome =
  | "approve"
  /** A debit-style account: approves up to what is available, so more than that is a partial approval. */
  | "approvePartial"
  | "insufficientFunds"
  | "expiredCard"
  | "lostOrStolen"
  | "callIssuer"
  | "issuerUnavailable";

export interface TestCard {
  /** Short stable name, used for file names (`cards/<id>/...`). */
  readonly id: string;
  readonly brand: "Visa" | "MasterCard";
  readonly pan: string;
  /** CardExpiry, YYYYMM. */
  readonly expiry: string;
  readonly outcome: TestCardOutcome;
}

export const testCards: readonly TestCard[] = [
  { id: "visa-approve", brand: "Visa", pan: "4111110000000005", expiry: "203012", outcome: "approve" },
  { id: "visa-debit", brand: "Visa", pan: "4111110000000070", expiry: "203012", outcome: "approvePartial" },
  { id: "visa-nsf", brand: "Visa", pan: "4111110000000013", expiry: "203012", outcome: "insufficientFunds" },
  { id: "visa-expired", brand: "Visa", pan: "4111110000000021", expiry: "203012", outcome: "expiredCard" },
  { id: "visa-stolen", brand: "Visa", pan: "4111110000000039", expiry: "203012", outcome: "lostOrStolen" },
  { id: "visa-call", brand: "Visa", pan: "4111110000000047", expiry: "203012", outcome: "callIssuer" },
  {
    id: "visa-unavailable",
    brand: "Visa",
    pan: "4111110000000054",
    expiry: "203012",
    outcome: "issuerUnavailable",
  },
  { id: "mc-approve", brand: "MasterCard", pan: "5555550000000002", expiry: "203106", outcome: "approve" },
  {
    id: "mc-nsf",
    brand: "MasterCard",
    pan: "5555550000000010",
    expiry: "203106",
    outcome: "insufficientFunds",
  },
  {
    id: "mc-stolen",
    brand: "MasterCard",
    pan: "5555550000000028",
    expiry: "203106",
    outcome: "lostOrStolen",
  },
  {
    id: "mc-unavailable",
    brand: "MasterCard",
    pan: "5555550000000036",
    expiry: "203106",
    outcome: "issuerUnavailable",
  },
];

/**
 * Cards of the lab's attack fixtures, kept apart from the test cards (`attack/cards.json`): the
 * issuer would approve them, so only the relying parties' certificate checks stand between them
 * and an authorization. `visa-revoked`'s certificate is on the Visa CCA's CRL.
 */
export const attackTestCards: readonly TestCard[] = [
  { id: "visa-revoked", brand: "Visa", pan: "4111110000000062", expiry: "203012", outcome: "approve" },
];

/** The Luhn (mod 10) check every PAN in the table passes. */
export function luhnValid(pan: string): boolean {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
