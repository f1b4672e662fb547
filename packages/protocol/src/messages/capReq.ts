/**
 * CapReq = EncB(M, P, CapReqData, CapTokenSeq): the merchant asks the gateway to capture one or
 * many authorizations, returning with each CapItem the CapToken the AuthRes gave it, in the same
 * order. The tokens travel as baggage beside the envelope, linked under the merchant's signature.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import { type BaggageTypes, EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { ContentType } from "../schema/oids";
import { type CapReq, CapReqData, type CapToken, CapTokenSeq } from "../schema/payment";
import { openSealed } from "./checks";
import { checkMerchantCertificates, type MerchantCertificates } from "./merchantCertificates";

/**
 * The most capture items one CapReq carries in this profile. SET's CapItemSeq allows 256, but a
 * CapReq must fit the 256 KiB a SET route takes (runtime's defaultSetBodyLimit), and each item
 * brings its CapToken (a signed and enveloped record, about 1.3 KB): 128 items leave room.
 */
export const maxCapItems = 128;

export const capReqTypes: BaggageTypes = {
  signed: ContentType.CapReqTBS,
  enveloped: ContentType.CapReqTBE,
  baggage: ContentType.CapTokenSeq,
};

/**
 * CapReq = EncB(M, P, CapReqData, CapTokenSeq), the encB form. As for AuthReq, the merchant's
 * key-exchange certificate must ride in `merchant.chain`: the gateway seals CapRes to it.
 */
export async function sealCapReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapReqData,
  capTokens: readonly CapToken[],
): Promise<CapReq> {
  const sealed = await EncB(
    p,
    merchant,
    gatewayKexCertificate,
    capReqTypes,
    encodeDer(CapReqData, data),
    encodeDer(CapTokenSeq, [...capTokens]),
  );
  return { type: "encB", value: { envelope: sealed.envelope, capTokenSeq: [...capTokens] } };
}

export interface OpenedCapReq extends MerchantCertificates {
  readonly data: CapReqData;
  readonly capTokens: readonly CapToken[];
}

export interface OpenCapReqOptions {
  /** The brand whose gateway key the envelope names: both merchant certificates must be of it. */
  readonly brand?: string;
  /** At most this many items, refused (messageTooBig) before any decryption. */
  readonly maxItems: number;
}

/**
 * The gateway opens a CapReq: the EncBX form is messageNotSupported; more CapTokens than
 * `maxItems` is messageTooBig, before any work; then decrypt, verify the merchant's signature
 * and the baggage linkage (one generic decryption failure), the merchant's two certificates
 * (`checkMerchantCertificates`), decode CapReqData strictly, and one CapToken per CapItem
 * (decodingFailure otherwise).
 */
export async function openCapReq(
  p: CryptoProvider,
  gateway: Decrypter,
  capReq: CapReq,
  trust: Trust,
  options: OpenCapReqOptions,
): Promise<OpenedCapReq> {
  if (capReq.type !== "encB")
    throw new SetError("messageNotSupported", "CapReq in the EncBX form is not supported", "CapReq.encBX");
  const { envelope, capTokenSeq } = capReq.value;
  if (capTokenSeq.length > options.maxItems)
    throw new SetError(
      "messageTooBig",
      `a CapReq of ${capTokenSeq.length} items, over the ${options.maxItems} taken at once`,
      "CapReq.capTokenSeq",
    );
  const opened = await openSealed(p, gateway, envelope, encodeDer(CapTokenSeq, capTokenSeq), capReqTypes);
  const certificates = await checkMerchantCertificates(
    p,
    opened.signerCertificate,
    opened.certificates,
    trust,
    {
      ...(options.brand !== undefined ? { brand: options.brand } : {}),
      message: "CapReq",
    },
  );
  const data = decodeDer(CapReqData, opened.content, "CapReqData");
  if (data.capItemSeq.length !== capTokenSeq.length)
    throw new SetError(
      "decodingFailure",
      "a CapReq must carry one CapToken per CapItem",
      "CapReq.capTokenSeq",
    );
  return { data, capTokens: capTokenSeq, ...certificates };
}
