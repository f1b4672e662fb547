/**
 * The signer of a message must hold the right kind of SET certificate (digest 6, rule 4): chained
 * to the pinned root, of the expected role, certifying a key for the expected use, and, when the
 * caller names one, of the expected brand.
 */
import { bytesEqual } from "../asn1/tlv";
import { validateChain } from "../cert/chain";
import { type CertificateUse, checkCertificateUse } from "../cert/profileChecks";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { Trust } from "../purchase/cardholderCertificate";
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
 * (the codes `validateChain` gives: invalidCertificate, expiredCertificate, ...).
 */
export async function checkPartyCertificate(
  p: CryptoProvider,
  der: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
  intended: IntendedParty,
): Promise<SetCertificate> {
  const use = { role: intended.role, use: intended.use };
  const cached = await trust.chainCache?.get(der, trust.pinnedRoot, trust.at);
  if (cached) {
    checkCertificateUse(cached.leaf, use);
    checkBrand(cached.leaf, intended.brand);
    return cached.leaf;
  }
  const cert = parseSetCertificate(der);
  checkCertificateUse(cert, use);
  checkBrand(cert, intended.brand);
  const pool = [...carried.filter((c) => !bytesEqual(c, cert.der)), ...(trust.intermediates ?? [])];
  const chain = await validateChain(p, cert, pool, trust.pinnedRoot, trust.at);
  await trust.chainCache?.put(chain);
  return cert;
}
