/**
 * AuthRevRes = EncB(P, M, AuthRevResData, AuthRevResBaggage): the gateway's answer to an
 * AuthRevReq. For an authorization reduced (not cancelled) the baggage carries the new CapToken,
 * for the new amount, and AuthResPayloadNew the approval as it now stands.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { type BaggageTypes, EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { type AuthRevRes, AuthRevResBaggage, AuthRevResData } from "../schema/payment";
import { openSealed } from "./checks";
import { checkPartyCertificate } from "./partyCertificate";

export const authRevResTypes: BaggageTypes = {
  signed: ContentType.AuthRevResTBS,
  enveloped: ContentType.AuthRevResTBEB,
  baggage: ContentType.AuthRevResBaggage,
};

/** AuthRevRes = EncB(P, M, AuthRevResData, AuthRevResBaggage), sealed to the merchant's key-exchange certificate. */
export async function sealAuthRevRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: AuthRevResData,
  baggage: AuthRevResBaggage,
): Promise<AuthRevRes> {
  const sealed = await EncB(
    p,
    gateway,
    merchantKexCertificate,
    authRevResTypes,
    encodeDer(AuthRevResData, data),
    encodeDer(AuthRevResBaggage, baggage),
  );
  return { authRevResEnvelope: sealed.envelope, authRevResBaggage: baggage };
}

export interface OpenedAuthRevRes {
  readonly data: AuthRevResData;
  readonly baggage: AuthRevResBaggage;
  readonly gateway: SetCertificate;
}

/**
 * The merchant opens an AuthRevRes with its key-exchange key: decrypt, verify the gateway's
 * signature and the baggage linkage (any failure is the one generic decryption error), check the
 * gateway's certificate (pgwy, signature, chain, brand when given), refuse a carried certificate
 * off its path, decode AuthRevResData strictly.
 */
export async function openAuthRevRes(
  p: CryptoProvider,
  merchant: Decrypter,
  authRevRes: AuthRevRes,
  trust: Trust,
  options: { brand?: string } = {},
): Promise<OpenedAuthRevRes> {
  const baggage = authRevRes.authRevResBaggage;
  const opened = await openSealed(
    p,
    merchant,
    authRevRes.authRevResEnvelope,
    encodeDer(AuthRevResBaggage, baggage),
    authRevResTypes,
  );
  const chain = await checkPartyCertificate(p, opened.signerCertificate, opened.certificates, trust, {
    role: "pgwy",
    use: "signature",
    ...(options.brand !== undefined ? { brand: options.brand } : {}),
  });
  refuseUnvalidatedCarried(opened.certificates, [chain], "AuthRevRes.certificates");
  return { data: decodeDer(AuthRevResData, opened.content, "AuthRevResData"), baggage, gateway: chain.leaf };
}
