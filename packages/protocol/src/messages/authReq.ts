/**
 * AuthReq = EncB(M, P, AuthReqData, PI) (patent steps S42-S46). The PI is the cardholder's, as
 * received: the merchant cannot open it and forwards its bytes unchanged as the baggage.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { sha256 } from "../cert/digest";
import { sameIssuingCa } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { BaggageTypes } from "../crypto/encB";
import { EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { namingCertificate, SetError } from "../errors";
import { ContentType } from "../schema/oids";
import { type AuthReq, AuthReqData } from "../schema/payment";
import { PI } from "../schema/purchase";
import { openSealed } from "./checks";
import { checkPartyCertificate } from "./partyCertificate";

export const authReqTypes: BaggageTypes = {
  signed: ContentType.AuthReqTBS,
  enveloped: ContentType.AuthReqTBE,
  baggage: ContentType.PI,
};

/**
 * AuthReq = EncB(M, P, AuthReqData, PI); `piDer` is the DER of the PI CHOICE. The merchant's
 * key-exchange certificate must ride in `merchant.chain`: the gateway seals AuthRes to it.
 */
export async function sealAuthReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: AuthReqData,
  piDer: Uint8Array,
): Promise<AuthReq> {
  const sealed = await EncB(
    p,
    merchant,
    gatewayKexCertificate,
    authReqTypes,
    encodeDer(AuthReqData, data),
    piDer,
  );
  return { authReqEnvelope: sealed.envelope, pi: sealed.baggage };
}

export interface OpenedAuthReq {
  readonly data: AuthReqData;
  readonly pi: PI;
  readonly piDer: Uint8Array;
  /** The merchant's signature certificate, and the merID its merchantData names. */
  readonly merchant: SetCertificate;
  readonly merID: string;
  /** The merchant's key-exchange certificate the AuthReq carried: AuthRes is sealed to it. */
  readonly merchantKex: SetCertificate;
}

export interface OpenAuthReqOptions {
  /** The brand the AuthReq was sealed for (the gateway key it names): both merchant certificates must be of it. */
  readonly brand?: string;
}

/**
 * The merchant's key-exchange certificate among the carried ones: a merchant certificate for key
 * encipherment. missingCertificate when there is none, invalidCertificate when there are several.
 */
function carriedKex(certificates: readonly Uint8Array[], signer: Uint8Array): Uint8Array {
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
      "the AuthReq carries no merchant key-exchange certificate to seal the AuthRes to",
      "AuthReq.certificates",
    );
  if (found.length > 1)
    throw new SetError(
      "invalidCertificate",
      "the AuthReq carries more than one merchant key-exchange certificate",
      "AuthReq.certificates",
    );
  return found[0];
}

/**
 * The gateway opens an AuthReq: decrypt, verify the merchant's signature, check the baggage
 * linkage (any failure of these three, the signature's included, is the one generic decryption
 * error, so that no answer tells a CBC padding failure from a broken signature); check the
 * merchant's signature certificate (mer, signature, brand, chain to the pinned root, revocation)
 * and its merchantData; check the key-exchange certificate it carries (mer, keyEncipherment, the
 * same brand and merID, the same issuing CA, chain, revocation), which is where the AuthRes goes, so a merchant the
 * gateway never saw is served; refuse any other carried certificate; then decode AuthReqData and
 * the PI strictly. Certificate failures keep their codes and name the certificate (errorThumb).
 */
export async function openAuthReq(
  p: CryptoProvider,
  gateway: Decrypter,
  authReq: AuthReq,
  trust: Trust,
  options: OpenAuthReqOptions = {},
): Promise<OpenedAuthReq> {
  const opened = await openSealed(p, gateway, authReq.authReqEnvelope, authReq.pi, authReqTypes);
  const content = opened.content;
  const brand = options.brand !== undefined ? { brand: options.brand } : {};
  const carried = opened.certificates;
  const merchantChain = await checkPartyCertificate(p, opened.signerCertificate, carried, trust, {
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
  const kexDer = carriedKex(carried, opened.signerCertificate);
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
  // merID from another merchant CA is not where this merchant's AuthRes may go.
  if (!sameIssuingCa(merchant, merchantKex))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the key-exchange certificate was issued by another CA than the signing merchant's",
        merchantKex.where,
      ),
      sha256(merchantKex.tbs),
    );
  refuseUnvalidatedCarried(carried, [merchantChain, kexChain], "AuthReq.certificates");
  const data = decodeDer(AuthReqData, content, "AuthReqData");
  const piDer = new Uint8Array(authReq.pi);
  const pi = decodeDer(PI, piDer, "PI");
  return { data, pi, piDer, merchant, merID, merchantKex };
}
