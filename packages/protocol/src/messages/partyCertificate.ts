/**
 * The signer of a message must hold the right kind of SET certificate (digest 6, rule 4): chained
 * to the pinned root, of the expected role, certifying a key for the expected use, and, when the
 * caller names one, of the expected brand.
 */
import type { ValidatedChain } from "../cert/chain";
import { blameCertificate } from "../cert/errorThumb";
import { type CertificateUse, checkCertificateUse } from "../cert/profileChecks";
import type { SetCertificate } from "../cert/setCertificate";
import type { Revocation, Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { validateUnderTrust } from "../purchase/trustedChain";
import type { CertificateRole } from "../schema/certExtensions";

export interface IntendedParty {
  readonly role: CertificateRole;
  readonly use: Exclude<CertificateUse, "certSign">;
  /** BrandID the certificate must belong to (its subject O=). */
  readonly brand?: string;
}

function checkBrand(cert: SetCertificate, brand: string | undefined): void {
  if (brand !== undefined && cert.brand !== brand)
    throw new SetError(
      "invalidCertificate",
      `certificate is for brand ${cert.brand ?? "(none)"}, expected ${brand}`,
      cert.where,
    );
}

/**
 * Check `der` as the certificate of a party: role and key use first (invalidCertificate), then
 * the brand, then the path to `trust.pinnedRoot` through `carried` and `trust.intermediates`
 * (the codes `validateChain` gives: invalidCertificate, expiredCertificate, ...), then revocation
 * with `revocation`, else the Trust's material for the certificate's brand (revokedCertificate).
 * A failure names the certificate it is about (errorThumb). Returns the validated path.
 */
export async function checkPartyCertificate(
  p: CryptoProvider,
  der: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
  intended: IntendedParty,
  revocation?: Revocation,
): Promise<ValidatedChain> {
  const use = { role: intended.role, use: intended.use };
  try {
    return await validateUnderTrust(
      p,
      der,
      carried,
      trust,
      (cert) => {
        checkCertificateUse(cert, use);
        checkBrand(cert, intended.brand);
      },
      revocation,
    );
  } catch (e) {
    throw blameCertificate(e, der, [...carried, ...(trust.intermediates ?? []), trust.pinnedRoot]);
  }
}
