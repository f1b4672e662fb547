/**
 * A certificate path judged under a verifier's Trust: the chain cache first (chain work only),
 * else validateChain; either way, when the Trust (or the caller) holds revocation material for
 * the certificate's brand, the path is checked against the CRLs the brand's BCI names. A cached
 * chain never bypasses revocation: on a hit only the revocation check runs again, which is cheap
 * with prepared material (`prepareRevocation`).
 */
import { bytesEqual } from "../asn1/tlv";
import { type ValidatedChain, validateChain } from "../cert/chain";
import { checkRevocation } from "../cert/revocation";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Revocation, Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";

/**
 * The revocation material of `brand` in the Trust. A Trust that holds material for some brands
 * and not this one refuses the certificate (invalidCertificate): nothing vouches for its status.
 */
export function revocationFor(trust: Trust, cert: SetCertificate): Revocation | undefined {
  if (!trust.revocation) return undefined;
  const found = cert.brand === undefined ? undefined : trust.revocation[cert.brand];
  if (!found)
    throw new SetError(
      "invalidCertificate",
      `no BrandCRLIdentifier for brand ${cert.brand ?? "(none)"} to check revocation with`,
      cert.where,
    );
  return found;
}

/**
 * Judge `der` under `trust`: `check` (role, use, brand) runs on the parsed certificate first, then
 * the path to the pinned root through `carried` and the Trust's intermediates, then revocation
 * with `revocation` (default: the Trust's material for the certificate's brand).
 */
export async function validateUnderTrust(
  p: CryptoProvider,
  der: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
  check: (cert: SetCertificate) => void,
  revocation?: Revocation,
): Promise<ValidatedChain> {
  // A message carrying a certificate the cached entry has not seen is judged afresh, as on a cold cache.
  const cached = await trust.chainCache?.get(der, trust.pinnedRoot, trust.at, carried);
  const cert = cached?.leaf ?? parseSetCertificate(der);
  check(cert);
  const material = revocation ?? revocationFor(trust, cert);
  if (cached) {
    if (material) await checkRevocation(p, cached.path, { ...material, at: trust.at });
    return cached;
  }
  // The message carries the signer's certificate too; it is already parsed.
  const pool = [...carried.filter((c) => !bytesEqual(c, cert.der)), ...(trust.intermediates ?? [])];
  const chain = await validateChain(
    p,
    cert,
    pool,
    trust.pinnedRoot,
    trust.at,
    material ? { revocation: material } : undefined,
  );
  await trust.chainCache?.put(chain, carried);
  return chain;
}
