/**
 * The lab's test cards (the lab's issuer decides by card; README "The test cards"): what a shop in
 * test mode can expect from each. Public test numbers, Luhn-valid, of no real account.
 */
export interface TestCard {
  /** The card's id in the lab (`lab purchase --card`, the phone's card list). */
  readonly id: string;
  readonly brand: "Visa" | "MasterCard";
  readonly pan: string;
  /** The order event a purchase with it ends in. */
  readonly event: "authorized" | "partiallyAuthorized" | "declined";
  readonly outcome: string;
}

export const testCards: readonly TestCard[] = [
  { id: "visa-approve", brand: "Visa", pan: "4111110000000005", event: "authorized", outcome: "approved" },
  {
    id: "visa-debit",
    brand: "Visa",
    pan: "4111110000000070",
    event: "partiallyAuthorized",
    outcome: "approved up to the balance, partially above it",
  },
  {
    id: "visa-nsf",
    brand: "Visa",
    pan: "4111110000000013",
    event: "declined",
    outcome: "insufficient funds",
  },
  { id: "visa-expired", brand: "Visa", pan: "4111110000000021", event: "declined", outcome: "expired card" },
  { id: "visa-stolen", brand: "Visa", pan: "4111110000000039", event: "declined", outcome: "lost or stolen" },
  { id: "visa-call", brand: "Visa", pan: "4111110000000047", event: "declined", outcome: "call issuer" },
  {
    id: "mc-approve",
    brand: "MasterCard",
    pan: "5555550000000002",
    event: "authorized",
    outcome: "approved",
  },
  {
    id: "mc-nsf",
    brand: "MasterCard",
    pan: "5555550000000010",
    event: "declined",
    outcome: "insufficient funds",
  },
  {
    id: "mc-stolen",
    brand: "MasterCard",
    pan: "5555550000000028",
    event: "declined",
    outcome: "lost or stolen",
  },
];
