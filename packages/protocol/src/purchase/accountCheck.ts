/**
 * The gateway's checks of the account data in the PI (digest 6, "Gateway"): the PAN belongs to
 * the cardholder certificate that signed (its subject CN is the hashed account identity,
 * HMAC(PANSecret, {PAN, CardExpiry})), and the card has not expired. Failures are business
 * outcomes (AuthCode piAuthMismatch, expiredCard), not protocol errors.
 */
import { hashedAccountId } from "../cert/accountId";
import type { SetCertificate } from "../cert/setCertificate";
import type { CryptoProvider } from "../crypto/provider";

/** True when HMAC(panSecret, {pan, cardExpiry}) is the certificate's hashed account id. */
export async function accountMatchesCertificate(
  p: CryptoProvider,
  account: { readonly pan: string; readonly cardExpiry: string; readonly panSecret: Uint8Array },
  cardholder: SetCertificate,
): Promise<boolean> {
  const expected = cardholder.commonName;
  if (!expected) return false;
  try {
    return (await hashedAccountId(p, account.pan, account.cardExpiry, account.panSecret)) === expected;
  } catch {
    // A malformed expiry or secret cannot be this certificate's account.
    return false;
  }
}

/** The first instant after a CardExpiry (YYYYMM) month, UTC; undefined for a malformed value. */
export function cardExpiryEnd(cardExpiry: string): Date | undefined {
  const m = /^([0-9]{4})(0[1-9]|1[0-2])$/.exec(cardExpiry);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
}

/** A card is usable through the last day of its expiry month. */
export function cardExpired(cardExpiry: string, at: Date): boolean {
  const end = cardExpiryEnd(cardExpiry);
  return end === undefined || at.getTime() >= end.getTime();
}
