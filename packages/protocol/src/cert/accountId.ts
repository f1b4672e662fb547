/**
 * The hashed account identity a cardholder certificate carries instead of the PAN (digest 1.3):
 * the CA computes it at issuance, the gateway recomputes it from the PAN, expiry and PANSecret it
 * receives in PI to check the PAN belongs to the signing certificate.
 *
 * DECISION: HMAC-SHA-256 keyed with PANSecret over the DER of SEQUENCE { PAN, CardExpiry }, as
 * lowercase hex (64 characters, within ub-common-name). The SEQUENCE keeps the two fields
 * unambiguous; the key makes the value useless to anyone without the PANSecret.
 */
import { encodeDer } from "../asn1/codec";
import { sequence } from "../asn1/constructed";
import { toHex } from "../bytes";
import { hmacSha256Sync, isNodeProvider } from "../crypto/native";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { CardExpiry, PAN } from "../schema/common";

const AccountIdInput = sequence({ pan: PAN, cardExpiry: CardExpiry });

/** Lowercase hex HMAC-SHA-256(panSecret, DER SEQUENCE {pan, cardExpiry}). Errors never echo the PAN. */
export async function hashedAccountId(
  p: CryptoProvider,
  pan: string,
  cardExpiry: string,
  panSecret: Uint8Array,
): Promise<string> {
  // Checked here so the codec's error, which could quote the value, is never reached.
  if (!/^[0-9]{12,19}$/.test(pan))
    throw new SetError("invalidCertificate", "PAN must be 12-19 digits", "PAN");
  if (!/^[0-9]{4}(0[1-9]|1[0-2])$/.test(cardExpiry))
    throw new SetError("invalidCertificate", "CardExpiry must be YYYYMM", "CardExpiry");
  if (panSecret.length < 16)
    throw new SetError("invalidCertificate", "PANSecret must be at least 16 bytes", "PANSecret");
  const { crypto } = p;
  const input = new Uint8Array(encodeDer(AccountIdInput, { pan, cardExpiry }));
  if (isNodeProvider(p)) return toHex(hmacSha256Sync(panSecret, input));
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(panSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, input));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}
