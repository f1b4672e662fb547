/**
 * A MerchantConfig from a lab PKI directory (`set-ca init`): per brand, the merchant's
 * `<brand>/merchant/signature` and `<brand>/merchant/key-exchange` keys and certificates, and the
 * gateway's `<brand>/gateway/key-exchange` certificate (patent step S31: configuration); and each
 * brand's current BCI and CRLs, both for the merchant's own checks (cardholder and gateway
 * certificates) and to carry in PInitRes for the card.
 */
import {
  bytesEqual,
  type CryptoProvider,
  type PreparedCrl,
  parseSetCertificate,
  prepareRevocation,
  type Revocation,
  ValidatedChainCache,
} from "@setlab/protocol";
import { type LabPki, LabPkiError } from "@setlab/runtime";
import type { BrandConfig, MerchantConfig } from "./core/merchantConfig";

export interface LabMerchantOptions {
  /** The brands to take, each with its gateway id (the shell maps ids to URLs). */
  readonly brands: readonly string[];
  readonly passphrase?: string;
  /** MerTermIDs.merchantID; default: the merID in the first brand's merchant certificate. */
  readonly merchantID?: string;
  /** Brands to hold to cardholder certificates beyond what their gateway certificates require. */
  readonly cardCertRequired?: (brandID: string) => boolean;
}

const dirOf = (brand: string) => brand.toLowerCase();

/**
 * A brand's revocation material from the PKI, prepared once: the current BCI verified against the
 * brand CA certificate, and every published CRL parsed. Undefined when the brand has no BCI.
 */
async function brandRevocation(
  p: CryptoProvider,
  pki: LabPki,
  brandID: string,
): Promise<Revocation | undefined> {
  const bci = pki.bci(brandID);
  if (!bci) return undefined;
  const brandCa = parseSetCertificate(pki.certificate(`${dirOf(brandID)}/bca`));
  return prepareRevocation(p, { bci, brandCa, crls: pki.crls() }, p.now());
}

/**
 * What PInitRes carries for the card: the BCI and, of the CRLs it names, those of the CAs on the
 * merchant's and the gateway's paths (the root included).
 */
function pInitResRevocation(bci: Uint8Array, material: Revocation, onPaths: readonly Uint8Array[]) {
  const named = "content" in material.bci ? material.bci.content.idCRLs : [];
  const subjects = onPaths.map((der) => parseSetCertificate(der).subjectDer);
  const crls = material.crls
    .filter((c): c is PreparedCrl => !(c instanceof Uint8Array))
    .filter(
      (c) =>
        named.some((n) => bytesEqual(new Uint8Array(n.crlThumb), c.thumb)) &&
        subjects.some((s) => bytesEqual(s, c.crl.issuerDer)),
    )
    .map((c) => c.crl.der);
  return { bci, crls };
}

export async function labMerchantConfig(
  p: CryptoProvider,
  pki: LabPki,
  options: LabMerchantOptions,
): Promise<MerchantConfig> {
  const brands: BrandConfig[] = [];
  const revocation: Record<string, Revocation> = {};
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
    const material = revocation[brandID] ?? (await brandRevocation(p, pki, brandID));
    if (material) revocation[brandID] = material;
    const gateway = {
      id: brandID,
      certificate: pki.certificate(gwId),
      chain: pki.chain(gwId),
      // Read by signPInitRes: the BCI into PInitResData, the CRLs into the SignedData.
      ...(material
        ? {
            revocation: pInitResRevocation(pki.bci(brandID) as Uint8Array, material, [
              ...caChain,
              ...pki.chain(gwId),
              pki.root(),
            ]),
          }
        : {}),
    };
    brands.push({
      brandID,
      signer: { certificate, privateKey, chain: caChain },
      authSigner: { certificate, privateKey, chain: [kexCertificate, ...caChain] },
      decrypter: {
        certificate: kexCertificate,
        privateKey: await pki.privateKey(kexId, "keyEncipherment", p.crypto, options.passphrase),
      },
      gateway,
      // The brand's own policy is in its gateway certificate; this can only add to it.
      cardCertRequired: options.cardCertRequired?.(brandID) ?? false,
    });
  }
  if (brands.length === 0) throw new LabPkiError("no brand configured");
  const merID = parseSetCertificate(brands[0].signer.certificate).merchantData?.merID;
  const merchantID = options.merchantID ?? merID;
  if (!merchantID) throw new LabPkiError("the merchant certificate carries no merID; pass --merchant-id");
  // Chains already accepted (cardholders', gateways') are not re-validated; signatures always are,
  // and so is revocation against each brand's BCI and CRLs (a Trust's `revocation`).
  const trust = { pinnedRoot: pki.root(), chainCache: new ValidatedChainCache(p), revocation };
  return { brands, merchantID, trust };
}
