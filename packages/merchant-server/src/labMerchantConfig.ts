/**
 * A MerchantConfig from a lab PKI directory (`set-ca init`): per brand, the merchant's
 * `<brand>/merchant/signature` and `<brand>/merchant/key-exchange` keys and certificates, and the
 * gateway's `<brand>/gateway/key-exchange` certificate (patent step S31: configuration).
 */
import { type CryptoProvider, parseSetCertificate, ValidatedChainCache } from "@setlab/protocol";
import { type LabPki, LabPkiError } from "@setlab/runtime";
import { type BrandConfig, labCardCertRequired, type MerchantConfig } from "./core/merchantConfig";

export interface LabMerchantOptions {
  /** The brands to take, each with its gateway id (the shell maps ids to URLs). */
  readonly brands: readonly string[];
  readonly passphrase?: string;
  /** MerTermIDs.merchantID; default: the merID in the first brand's merchant certificate. */
  readonly merchantID?: string;
  readonly cardCertRequired?: (brandID: string) => boolean;
}

const dirOf = (brand: string) => brand.toLowerCase();

export async function labMerchantConfig(
  p: CryptoProvider,
  pki: LabPki,
  options: LabMerchantOptions,
): Promise<MerchantConfig> {
  const brands: BrandConfig[] = [];
  for (const brandID of options.brands) {
    if (!pki.brands.includes(brandID))
      throw new LabPkiError(
        `the PKI in ${pki.dir} has no brand ${brandID} (it has ${pki.brands.join(", ")})`,
      );
    const sigId = `${dirOf(brandID)}/merchant/signature`;
    const kexId = `${dirOf(brandID)}/merchant/key-exchange`;
    const gwId = `${dirOf(brandID)}/gateway/key-exchange`;
    const certificate = pki.certificate(sigId);
    const privateKey = await pki.privateKey(sigId, "signature", p.crypto, options.passphrase);
    const caChain = pki.chain(sigId);
    const kexCertificate = pki.certificate(kexId);
    brands.push({
      brandID,
      signer: { certificate, privateKey, chain: caChain },
      authSigner: { certificate, privateKey, chain: [kexCertificate, ...caChain] },
      decrypter: {
        certificate: kexCertificate,
        privateKey: await pki.privateKey(kexId, "keyEncipherment", p.crypto, options.passphrase),
      },
      gateway: { id: brandID, certificate: pki.certificate(gwId), chain: pki.chain(gwId) },
      cardCertRequired: (options.cardCertRequired ?? labCardCertRequired)(brandID),
    });
  }
  if (brands.length === 0) throw new LabPkiError("no brand configured");
  const merID = parseSetCertificate(brands[0].signer.certificate).merchantData?.merID;
  const merchantID = options.merchantID ?? merID;
  if (!merchantID) throw new LabPkiError("the merchant certificate carries no merID; pass --merchant-id");
  // Chains already accepted (cardholders', gateways') are not re-validated; signatures always are.
  return { brands, merchantID, trust: { pinnedRoot: pki.root(), chainCache: new ValidatedChainCache(p) } };
}
