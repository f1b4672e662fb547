/**
 * AuthReq = EncB(M, P, AuthReqData, PI) (patent steps S42-S46). The PI is the cardholder's, as
 * received: the merchant cannot open it and forwards its bytes unchanged as the baggage.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import type { BaggageTypes } from "../crypto/encB";
import { EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { type AuthReq, AuthReqData } from "../schema/payment";
import { PI } from "../schema/purchase";
import { openSealed } from "./checks";
import { checkMerchantCertificates, type MerchantCertificates } from "./merchantCertificates";

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

export interface OpenedAuthReq extends MerchantCertificates {
  readonly data: AuthReqData;
  readonly pi: PI;
  readonly piDer: Uint8Array;
}

export interface OpenAuthReqOptions {
  /** The brand the AuthReq was sealed for (the gateway key it names): both merchant certificates must be of it. */
  readonly brand?: string;
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
  const certificates = await checkMerchantCertificates(
    p,
    opened.signerCertificate,
    opened.certificates,
    trust,
    {
      ...(options.brand !== undefined ? { brand: options.brand } : {}),
      message: "AuthReq",
    },
  );
  const data = decodeDer(AuthReqData, opened.content, "AuthReqData");
  const piDer = new Uint8Array(authReq.pi);
  const pi = decodeDer(PI, piDer, "PI");
  return { data, pi, piDer, ...certificates };
}
