/**
 * A MerchantConfig from a lab PKI directory (`set-ca init`): per brand, the merchant's
 * `<brand>/merchant/signature` and `<brand>/merchant/key-exchange` keys and certificates, and the
 * gateway's `<brand>/gateway/key-exchange` certificate (patent step S31: configuration); and each
 * brand's current BCI and CRLs, both for the merchant's own checks (cardholder and gateway
 * certificates) and to carry in PInitRes for the card. The BCI and CRLs come from a
 * RevocationSource and are read per message, so a source that follows the directory
 * (`LabRevocationSource`) brings a new BCI into the next PInitRes without a restart.
 */
import {
  bytesEqual,
  type CryptoProvider,
  type PreparedCrl,
  parseSetCertificate,
  type Revocation,
  ValidatedChainCache,
} from "@setlab/protocol";
import {
  type BrandRevocation,
  type LabPki,
  LabPkiError,
  loadLabRevocation,
  type RevocationSource,
  withCurrentRevocation,
} from "@setlab/runtime";
import type { BrandConfig, MerchantConfig } from "./core/merchantConfig";

export interface LabMerchantOptions {
  /** The brands to take, each with its gateway id (the shell maps ids to URLs). */
  readonly brands: readonly string[];
  readonly passphrase?: string;
  /** MerTermIDs.merchantID; default: the merID in the first brand's merchant certificate. */
  readonly merchantID?: string;
  /** Brands to hold to cardholder certificates beyond what their gateway certificates require. */
  readonly cardCertRequired?: (brandID: string) => boolean;
  /** Where the BCIs and CRLs in force come from; default: the directory's, read once. */
  readonly revocation?: RevocationSource;
}

const dirOf = (brand: string) => brand.toLowerCase();

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
  const source = options.revocation ?? fixedRevocation(await loadLabRevocation(pki.dir, p));
  for (const brandID of options.brands) {
    if (!pki.brands.includes(brandID))
      throw new LabPkiError(
        `the PKI in ${pki.dir} has no brand ${brandID} (it has ${pki.brands.join(", ")})`,
      );
    const sigId = `${dirOf(brandID)}/merchant/signature`;
    const kexId = `${dirOf(brandID)}/merchant/key-exchange`;
    const gwId = `${dirOf(brandID)}/gateway/key-exchange`;
    const certificate = pki.certificate(sigId);
    const privateKey = await pki.privateKey(sigId, "signature", p, options.passphrase);
    const caChain = pki.chain(sigId);
    const kexCertificate = pki.certificate(kexId);
    const onPaths = [...caChain, ...pki.chain(gwId), pki.root()];
    let carried: { from: BrandRevocation; revocation: ReturnType<typeof pInitResRevocation> } | undefined;
    const gateway = {
      id: brandID,
      certificate: pki.certificate(gwId),
      chain: pki.chain(gwId),
      // Read by signPInitRes at each PInitRes: the BCI into PInitResData, the CRLs into the
      // SignedData; worked out again only when the source's material for the brand changed.
      get revocation() {
        const now = source.current()[brandID];
        if (!now) return undefined;
        if (carried?.from !== now)
          carried = { from: now, revocation: pInitResRevocation(now.bci, now.material, onPaths) };
        return carried.revocation;
      },
    };
    brands.push({
      brandID,
      signer: { certificate, privateKey, chain: caChain },
      authSigner: { certificate, privateKey, chain: [kexCertificate, ...caChain] },
      decrypter: {
        certificate: kexCertificate,
        privateKey: await pki.privateKey(kexId, "keyEncipherment", p, options.passphrase),
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
  // and so is revocation against each brand's current BCI and CRLs (a Trust's `revocation`).
  const trust = withCurrentRevocation(
    { pinnedRoot: pki.root(), chainCache: new ValidatedChainCache() },
    source,
  );
  return { brands, merchantID, trust };
}

const fixedRevocation = (snapshot: ReturnType<RevocationSource["current"]>): RevocationSource => ({
  current: () => snapshot,
});
