/**
 * AuthRevReq = EncB(M, P, AuthRevReqData, AuthRevReqBaggage): the merchant asks the gateway to
 * reduce or cancel an authorization it has not captured. The request carries the original
 * AuthReqData and AuthResPayload under the merchant's signature, and as baggage the cardholder's
 * PI exactly as the AuthReq carried it, with the authorization's CapToken when it has one.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import { type BaggageTypes, EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { type AuthRevReq, AuthRevReqBaggage, AuthRevReqData, type CapToken } from "../schema/payment";
import { openSealed } from "./checks";
import { checkMerchantCertificates, type MerchantCertificates } from "./merchantCertificates";

export const authRevReqTypes: BaggageTypes = {
  signed: ContentType.AuthRevReqTBS,
  enveloped: ContentType.AuthRevReqTBE,
  baggage: ContentType.AuthRevReqBaggage,
};

/**
 * AuthRevReq = EncB(M, P, AuthRevReqData, {PI, [CapToken]}). `piDer` is the PI's DER as the
 * AuthReq carried it. As for AuthReq, the merchant's key-exchange certificate must ride in
 * `merchant.chain`: the gateway seals AuthRevRes to it.
 */
export async function sealAuthRevReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: AuthRevReqData,
  piDer: Uint8Array,
  capToken?: CapToken,
): Promise<AuthRevReq> {
  const baggage = { pi: piDer, ...(capToken ? { capToken } : {}) };
  const sealed = await EncB(
    p,
    merchant,
    gatewayKexCertificate,
    authRevReqTypes,
    encodeDer(AuthRevReqData, data),
    encodeDer(AuthRevReqBaggage, baggage),
  );
  return { authRevReqEnvelope: sealed.envelope, authRevReqBaggage: baggage };
}

export interface OpenedAuthRevReq extends MerchantCertificates {
  readonly data: AuthRevReqData;
  /** The PI's DER, as the baggage carried it. */
  readonly piDer: Uint8Array;
  readonly capToken?: CapToken;
}

/**
 * The gateway opens an AuthRevReq: decrypt, verify the merchant's signature and the baggage
 * linkage (one generic decryption failure), the merchant's two certificates
 * (`checkMerchantCertificates`), decode AuthRevReqData strictly.
 */
export async function openAuthRevReq(
  p: CryptoProvider,
  gateway: Decrypter,
  authRevReq: AuthRevReq,
  trust: Trust,
  options: { readonly brand?: string } = {},
): Promise<OpenedAuthRevReq> {
  const baggage = authRevReq.authRevReqBaggage;
  const opened = await openSealed(
    p,
    gateway,
    authRevReq.authRevReqEnvelope,
    encodeDer(AuthRevReqBaggage, baggage),
    authRevReqTypes,
  );
  const certificates = await checkMerchantCertificates(
    p,
    opened.signerCertificate,
    opened.certificates,
    trust,
    { ...(options.brand !== undefined ? { brand: options.brand } : {}), message: "AuthRevReq" },
  );
  const data = decodeDer(AuthRevReqData, opened.content, "AuthRevReqData");
  return {
    data,
    piDer: baggage.pi,
    ...(baggage.capToken ? { capToken: baggage.capToken } : {}),
    ...certificates,
  };
}
