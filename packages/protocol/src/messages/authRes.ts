/**
 * AuthRes = EncB(P, M, AuthResData, AuthResBaggage) (patent steps S50-S52). The baggage (CapToken,
 * AcqCardMsg, AuthToken) is opaque to the merchant, and linked under the gateway's signature.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { type BaggageTypes, EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { ContentType } from "../schema/oids";
import { type AuthRes, AuthResBaggage, AuthResData } from "../schema/payment";
import { openSealed } from "./checks";
import { checkPartyCertificate } from "./partyCertificate";

export const authResTypes: BaggageTypes = {
  signed: ContentType.AuthResTBS,
  enveloped: ContentType.AuthResTBE,
  baggage: ContentType.AuthResBaggage,
};

/** AuthRes = EncB(P, M, AuthResData, AuthResBaggage), the encB form. */
export async function sealAuthRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: AuthResData,
  baggage: AuthResBaggage,
): Promise<AuthRes> {
  const sealed = await EncB(
    p,
    gateway,
    merchantKexCertificate,
    authResTypes,
    encodeDer(AuthResData, data),
    encodeDer(AuthResBaggage, baggage),
  );
  return { type: "encB", value: { authResEnvelope: sealed.envelope, authResBaggage: baggage } };
}

export interface OpenedAuthRes {
  readonly data: AuthResData;
  readonly baggage: AuthResBaggage;
  readonly gateway: SetCertificate;
}

/**
 * The merchant opens an AuthRes with its key-exchange key: decrypt, verify the gateway's
 * signature, check the baggage linkage (any failure of these three, the signature included, is the one generic
 * decryption error), check the gateway certificate (pgwy, signature, chain, brand when given)
 * and refuse a carried certificate off its path.
 * The EncBX form (PANToken for the merchant) is refused with messageNotSupported.
 */
export async function openAuthRes(
  p: CryptoProvider,
  merchant: Decrypter,
  authRes: AuthRes,
  trust: Trust,
  options: { brand?: string } = {},
): Promise<OpenedAuthRes> {
  if (authRes.type !== "encB")
    throw new SetError("messageNotSupported", "AuthRes in the EncBX form is not supported", "AuthRes.encBX");
  const { authResEnvelope, authResBaggage } = authRes.value;
  const opened = await openSealed(
    p,
    merchant,
    authResEnvelope,
    encodeDer(AuthResBaggage, authResBaggage),
    authResTypes,
  );
  const content = opened.content;
  const chain = await checkPartyCertificate(p, opened.signerCertificate, opened.certificates, trust, {
    role: "pgwy",
    use: "signature",
    ...(options.brand !== undefined ? { brand: options.brand } : {}),
  });
  refuseUnvalidatedCarried(opened.certificates, [chain], "AuthRes.certificates");
  const data = decodeDer(AuthResData, content, "AuthResData");
  return { data, baggage: authResBaggage, gateway: chain.leaf };
}
