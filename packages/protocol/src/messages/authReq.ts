/**
 * AuthReq = EncB(M, P, AuthReqData, PI) (patent steps S42-S46). The PI is the cardholder's, as
 * received: the merchant cannot open it and forwards its bytes unchanged as the baggage.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { SetCertificate } from "../cert/setCertificate";
import type { BaggageTypes } from "../crypto/encB";
import { EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { Trust } from "../purchase/cardholderCertificate";
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

/** AuthReq = EncB(M, P, AuthReqData, PI); `piDer` is the DER of the PI CHOICE. */
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
  readonly merchant: SetCertificate;
}

/**
 * The gateway opens an AuthReq: decrypt, verify the merchant's signature, check the baggage
 * linkage (any failure of these three, the signature's included, is the one generic decryption
 * error, so that no answer tells a CBC padding failure from a broken signature), check the
 * merchant certificate (mer, signature, chain to the pinned root), then decode AuthReqData and
 * the PI strictly.
 */
export async function openAuthReq(
  p: CryptoProvider,
  gateway: Decrypter,
  authReq: AuthReq,
  trust: Trust,
): Promise<OpenedAuthReq> {
  const opened = await openSealed(p, gateway, authReq.authReqEnvelope, authReq.pi, authReqTypes);
  const content = opened.content;
  const merchant = await checkPartyCertificate(p, opened.signerCertificate, opened.certificates, trust, {
    role: "mer",
    use: "signature",
  });
  const data = decodeDer(AuthReqData, content, "AuthReqData");
  const piDer = new Uint8Array(authReq.pi);
  const pi = decodeDer(PI, piDer, "PI");
  return { data, pi, piDer, merchant };
}
