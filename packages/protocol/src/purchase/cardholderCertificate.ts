/** Both merchant and gateway must know the dual signature came from a SET cardholder signature key. */
import { validateChain } from "../cert/chain";
import { checkCertificateUse } from "../cert/profileChecks";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { CryptoProvider } from "../crypto/provider";
import { asCheck } from "./purchaseCheck";

/** Where a verifier anchors trust: the pinned SET root, CA certificates it may use, and the time of checking. */
export interface Trust {
  readonly pinnedRoot: Uint8Array;
  /** CA certificates (DER) beyond those the message carries. */
  readonly intermediates?: readonly Uint8Array[];
  readonly at: Date;
}

export function checkCardholderCertificate(
  p: CryptoProvider,
  signerCertificate: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
): Promise<SetCertificate> {
  return asCheck("cardholderCertificate", async () => {
    const cert = parseSetCertificate(signerCertificate);
    checkCertificateUse(cert, { role: "card", use: "signature" });
    await validateChain(p, cert, [...carried, ...(trust.intermediates ?? [])], trust.pinnedRoot, trust.at);
    return cert;
  });
}
