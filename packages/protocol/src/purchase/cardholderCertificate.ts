/** Both merchant and gateway must know the dual signature came from a SET cardholder signature key. */

import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { blameCertificate } from "../cert/errorThumb";
import { checkCertificateUse } from "../cert/profileChecks";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { asCheck } from "./purchaseCheck";
import { validateUnderTrust } from "./trustedChain";

/**
 * The dual signature's signer holds a SET cardholder signature certificate chained to the pinned
 * root, and the PI signature carries nothing besides that path (the carried-certificate rule of
 * messages/carriedCertificates.ts). A failure names the certificate it is about (errorThumb).
 */
export function checkCardholderCertificate(
  p: CryptoProvider,
  signerCertificate: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
): Promise<SetCertificate> {
  return asCheck("cardholderCertificate", async () => {
    try {
      const chain = await validateUnderTrust(p, signerCertificate, carried, trust, (cert) =>
        checkCertificateUse(cert, { role: "card", use: "signature" }),
      );
      refuseUnvalidatedCarried(carried, [chain], "PISignature.certificates");
      return chain.leaf;
    } catch (e) {
      throw blameCertificate(e, signerCertificate, [
        ...carried,
        ...(trust.intermediates ?? []),
        trust.pinnedRoot,
      ]);
    }
  });
}
