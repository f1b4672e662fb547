/**
 * Publishing a brand's BrandCRLIdentifier (digest 1.6): the brand CA signs the list of the CRLs
 * in force under its brand, each named by issuer, CRL number and thumb. Works over any set of
 * CAs, freshly created or reopened from their files, and records the BCI in the store.
 */
import {
  type CryptoProvider,
  decodeDer,
  fromHex,
  schema,
  signBrandCRLIdentifier,
  toHex,
  wholeSeconds,
} from "@setlab/protocol";
import type { CertificateAuthority } from "./certificateAuthority";
import { tbsFields } from "./certificateBuilder";
import { CaError } from "./errors";
import type { BciRecord, CaStore } from "./store";

export interface BciParams {
  /** The signer: the brand's BCA (its brand is the BCI's brandID). */
  readonly brandCa: CertificateAuthority;
  /** Every CA whose CRL is in force for the brand: typically the root, the BCA, GCA, CCA, MCA and PCA. */
  readonly cas: readonly CertificateAuthority[];
  readonly store: CaStore;
  readonly provider: CryptoProvider;
  readonly lifetimeDays?: number;
}

/** Sign, record and return the next BrandCRLIdentifier of the brand; a CA without a CRL yet gets its first one. */
export async function publishBrandCRLIdentifier(p: BciParams): Promise<BciRecord> {
  const brand = p.brandCa.brand;
  if (p.brandCa.profile.role !== "bca" || !brand)
    throw new CaError("profileNotAllowed", "only a brand CA signs a BrandCRLIdentifier");
  const idCRLs: schema.CRLIdentifier[] = [];
  for (const ca of p.cas) {
    if (ca.brand !== undefined && ca.brand !== brand)
      throw new CaError("profileNotAllowed", `a ${ca.brand} CA's CRL cannot be in force for ${brand}`);
    const crl = await ca.currentCrl();
    idCRLs.push({
      issuerName: tbsFields(ca.der).subject,
      crlNumber: crl.number,
      crlThumb: fromHex(crl.thumb, "crl.thumb"),
    });
  }
  const notBefore = wholeSeconds(p.provider.now());
  const notAfter = new Date(notBefore.getTime() + (p.lifetimeDays ?? 7) * 86400_000);
  const sequenceNum = await p.store.nextNumber(`bci:${brand}`);
  const der = await signBrandCRLIdentifier(
    p.provider,
    {
      version: 0,
      sequenceNum,
      brandID: brand,
      notBefore,
      notAfter,
      idCRLs,
      brandCAThumb: await p.brandCa.certificate.thumb(),
    },
    p.brandCa.privateKey,
  );
  const unsigned = decodeDer(schema.BrandCRLIdentifier, der).unsignedBrandCRLIdentifier;
  const thumb = toHex(
    new Uint8Array(await p.provider.crypto.subtle.digest("SHA-256", new Uint8Array(unsigned))),
  );
  const record: BciRecord = { brand, sequenceNum, der, thumb, notBefore, notAfter };
  await p.store.recordBci(record);
  return record;
}
