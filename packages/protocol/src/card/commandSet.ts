/**
 * The card command set (docs/purchase-flow.md, "Card link"): the class byte, the instruction bytes
 * and the status words the card answers with.
 */

/** Every command of the set carries this class byte (proprietary class). */
export const CLA = 0x80;

export const INS = {
  SELECT: 0xa4,
  VERIFY_PIN: 0x20,
  READ_CERTIFICATE: 0xb0,
  PINIT_REQUEST: 0x50,
  PINIT_RESPONSE: 0x52,
  PURCHASE: 0x54,
  PURCHASE_RESPONSE: 0x56,
  /** `InquiryInput` in, the card's InqReq about a remembered purchase out. */
  INQUIRY_REQUEST: 0x58,
  /** The merchant's InqRes (or SET Error) in, `PurchaseOutcome` out. */
  INQUIRY_RESPONSE: 0x5a,
  /** Embodiment 1: the shop's E1InfoReq in, the card's signed E1InfoRes out. */
  E1_CARD_INFO: 0x60,
  /** Embodiments 1 and 2: the merchant's E1Result (or refusal) in, `PurchaseOutcome` out. */
  E1_RESULT: 0x62,
  /** Embodiment 2: the shop's E2MerchantHello in, the card's E2CardHello out. */
  E2_HELLO: 0x64,
  /** Embodiment 2: the shop's E2SessionKey in, the order for the buyer (E2OrderForBuyer, non-forward) out. */
  E2_SESSION_KEY: 0x66,
  /** Embodiment 2: the buyer confirmed on the PC; the card information under the session key out. */
  E2_CONFIRM: 0x68,
  GET_STATUS: 0xca,
} as const;

export type InsName = keyof typeof INS;

/** The name of an instruction byte, or undefined for one outside the set. */
export function insName(ins: number): InsName | undefined {
  for (const [name, value] of Object.entries(INS)) if (value === ins) return name as InsName;
  return undefined;
}

export const SW = {
  OK: 0x9000,
  /** 63Cx: wrong PIN, x tries left (see `wrongPin`). */
  WRONG_PIN: 0x63c0,
  PIN_BLOCKED: 0x6983,
  PIN_NOT_VERIFIED: 0x6982,
  OUT_OF_ORDER: 0x6985,
  NO_SUCH_CARD: 0x6a82,
  UNKNOWN_INS: 0x6d00,
  /** Not in the contract table: ISO 7816-4's "class not supported", for a CLA other than 0x80. */
  CLA_NOT_SUPPORTED: 0x6e00,
  BAD_LENGTH: 0x6700,
  BAD_DATA: 0x6a80,
  /** A SET check failed; the data is JSON `{code, message}` with the SET ErrorCode. */
  SET_CHECK_FAILED: 0x6f00,
} as const;

export type SwName = keyof typeof SW;

/** 63Cx: wrong PIN with `triesLeft` (0..15) tries left. */
export function wrongPin(triesLeft: number): number {
  return SW.WRONG_PIN | (Math.max(0, Math.min(15, Math.trunc(triesLeft))) & 0x0f);
}

/** For a 63Cx status word, the tries left; otherwise undefined. */
export function pinTriesLeft(sw: number): number | undefined {
  return (sw & 0xfff0) === SW.WRONG_PIN ? sw & 0x0f : undefined;
}

/** A readable name for a status word: `OK`, `WRONG_PIN(2)`, or its hex digits. */
export function swName(sw: number): string {
  const tries = pinTriesLeft(sw);
  if (tries !== undefined) return `WRONG_PIN(${tries})`;
  for (const [name, value] of Object.entries(SW)) if (value === sw) return name;
  return sw.toString(16).toUpperCase().padStart(4, "0");
}
