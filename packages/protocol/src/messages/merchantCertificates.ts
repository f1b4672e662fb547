/**
 * The merchant's two certificates in a request it seals to the gateway (AuthReq, CapReq): the
 * signature certificate that signed it and the key-exchange certificate it carries, to which the
 * gateway seals its answer. Both are judged here, once, for every such request.
 */
import { bytesEqual } from "../asn1/tlv";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { sha256 } from "../cert/digest";
import { sameIssuingCa } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import { checkPartyCertificate } from "./partyCertificate";

export interface MerchantCertificates {
  /** The merchant's signature certificate, and the merID its merchantData names. */
  readonly merchant: SetCertificate;
  readonly merID: string;
  /** The merchant's key-exchange certificate the request carried: the answer is sealed to it. */
  readonly merchantKex: SetCertificate;
}

/**
 * The merchant's key-exchange certificate among the carried ones: a merchant certificate for key
 * encipherment. missingCertificate when there is none, invalidCertificate when there are several.
 */
function carriedKex(certificates: readonly Uint8Array[], signer: Uint8Array, message: string): Uint8Array {
  const found = certificates.filter((der) => {
    if (bytesEqual(der, signer)) return false;
    try {
      const cert = parseSetCertificate(der);
      return cert.hasRole("mer") && (cert.keyUsage?.includes("keyEncipherment") ?? false);
    } catch {
      return false;
    }
  });
  if (found.length === 0)
    throw new SetError(
      "missingCertificate",
      `the ${message} carries no merchant key-exchange certificate to seal the answer to`,
      `${message}.certificates`,
    );
  if (found.length > 1)
    throw new SetError(
      "invalidCertificate",
      `the ${message} carries more than one merchant key-exchange certificate`,
      `${message}.certificates`,
    );
  return found[0];
}

/**
 * The signer: mer, signature, the brand, chain to the pinned root, revocation, merchantData. The
 * key-exchange certificate carried: mer, keyEncipherment, the same brand and merID, the same
 * issuing CA, chain, revocation. Nothing else carried. Failures keep their codes and name the
 * certificate (errorThumb).
 */
export async function checkMerchantCertificates(
  p: CryptoProvider,
  signerCertificate: Uint8Array,
  carried: readonly Uint8Array[],
  trust: Trust,
  options: { readonly brand?: string; readonly message: string },
): Promise<MerchantCertificates> {
  const brand = options.brand !== undefined ? { brand: options.brand } : {};
  const merchantChain = await checkPartyCertificate(p, signerCertificate, carried, trust, {
    role: "mer",
    use: "signature",
    ...brand,
  });
  const merchant = merchantChain.leaf;
  const merID = merchant.merchantData?.merID;
  if (!merID)
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the merchant's certificate carries no merchantData",
        merchant.where,
      ),
      sha256(merchant.tbs),
    );
  const kexDer = carriedKex(carried, signerCertificate, options.message);
  const kexChain = await checkPartyCertificate(p, kexDer, carried, trust, {
    role: "mer",
    use: "keyEncipherment",
    ...brand,
  });
  const merchantKex = kexChain.leaf;
  if (merchantKex.merchantData?.merID !== merID)
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the key-exchange certificate is not the signing merchant's (another merID)",
        merchantKex.where,
      ),
      sha256(merchantKex.tbs),
    );
  // One merchant's two certificates come from one CA: a key-exchange certificate for the same
  // merID from another merchant CA is not where this merchant's answer may go.
  if (!sameIssuingCa(merchant, merchantKex))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the key-exchange certificate was issued by another CA than the signing merchant's",
        merchantKex.where,
      ),
      sha256(merchantKex.tbs),
    );
  refuseUnvalidatedCarried(carried, [merchantChain, kexChain], `${options.message}.certificates`);
  return { merchant, merID, merchantKex };
}
