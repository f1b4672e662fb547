/** Both merchant and gateway must know the dual signature came from a SET cardholder signature key. */
import { bytesEqual } from "../asn1/tlv";
import { validateChain } from "../cert/chain";
import { checkCertificateUse } from "../cert/profileChecks";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { ValidatedChainCache } from "../cert/validatedChainCache";
import type { CryptoProvider } from "../crypto/provider";
import { asCheck } from "./purchaseCheck";

/** Where a verifier anchors trust: the pinned SET root, CA certificates it may use, and the time of checking. */
export interface Trust {
  readonly pinnedRoot: Uint8Array;
  /** CA certificates (DER) beyond those the message carries. */
  readonly intermediates?: readonly Uint8Array[];
  readonly at: Date;
  /**
   * Chains this verifier already accepted, so the next message from the same cardholder skips
   * the chain work (never its own signature check). Absent: every message validates its chain.
   */
  readonly chainCache?: ValidatedChainCache;
}

export function checkCardholderCertificate(
  p: CryptoProvider,
  signerCertificate: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
): Promise<SetCertificate> {
  return asCheck("cardholderCertificate", async () => {
    const cached = await trust.chainCache?.get(signerCertificate, trust.pinnedRoot, trust.at);
    if (cached) {
      checkCertificateUse(cached.leaf, { role: "card", use: "signature" });
      return cached.leaf;
    }
    const cert = parseSetCertificate(signerCertificate);
    checkCertificateUse(cert, { role: "card", use: "signature" });
    // The message carries the signer's certificate too; it is already parsed.
    const pool = [...carried.filter((c) => !bytesEqual(c, cert.der)), ...(trust.intermediates ?? [])];
    const chain = await validateChain(p, cert, pool, trust.pinnedRoot, trust.at);
    await trust.chainCache?.put(chain);
    return cert;
  });
}
