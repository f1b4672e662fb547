/** Both merchant and gateway must know the dual signature came from a SET cardholder signature key. */

import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { blameCertificate } from "../cert/errorThumb";
import { checkCertificateUse } from "../cert/profileChecks";
import type { RevocationInput } from "../cert/revocation";
import type { SetCertificate } from "../cert/setCertificate";
import type { ValidatedChainCache } from "../cert/validatedChainCache";
import type { CryptoProvider } from "../crypto/provider";
import { asCheck } from "./purchaseCheck";
import { validateUnderTrust } from "./trustedChain";

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
  /**
   * Revocation material by BrandID: the brand's current BCI and the CRLs on offer (prepare it
   * once with `prepareRevocation`). Present: every path of a brand is checked against the CRLs
   * its BCI names (revokedCertificate), and a brand without material is refused. Absent: no
   * revocation check.
   */
  readonly revocation?: Readonly<Record<string, Omit<RevocationInput, "at">>>;
}

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
