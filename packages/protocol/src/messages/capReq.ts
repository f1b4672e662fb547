/**
 * CapReq = EncB(M, P, CapReqData, CapTokenSeq): the merchant asks the gateway to capture one or
 * many authorizations, returning with each CapItem the CapToken the AuthRes gave it, in the same
 * order. The tokens travel as baggage beside the envelope, linked under the merchant's signature.
 */
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { CapReq, CapReqData, CapToken } from "../schema/payment";
import { encBMessages, type OpenCapFamilyOptions, openEncBMessage, sealEncBMessage } from "./encBMessages";
import type { MerchantCertificates } from "./merchantCertificates";

/**
 * The most capture items one CapReq carries in this profile. SET's CapItemSeq allows 256, but a
 * CapReq must fit the 256 KiB a SET route takes (runtime's defaultSetBodyLimit), and each item
 * brings its CapToken (a signed and enveloped record, about 1.3 KB): 128 items leave room.
 */
export const maxCapItems = 128;

/**
 * CapReq = EncB(M, P, CapReqData, CapTokenSeq), the encB form. As for AuthReq, the merchant's
 * key-exchange certificate must ride in `merchant.chain`: the gateway seals CapRes to it.
 */
export function sealCapReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapReqData,
  capTokens: readonly CapToken[],
): Promise<CapReq> {
  return sealEncBMessage(encBMessages.CapReq, p, merchant, gatewayKexCertificate, data, [...capTokens]);
}

export interface OpenedCapReq extends MerchantCertificates {
  readonly data: CapReqData;
  readonly capTokens: readonly CapToken[];
}

/** `brand`: the brand whose gateway key the envelope names: both merchant certificates must be of it. */
export type OpenCapReqOptions = OpenCapFamilyOptions;

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
  const { baggage, ...opened } = await openEncBMessage(
    encBMessages.CapReq,
    p,
    gateway,
    capReq,
    trust,
    options,
  );
  return { ...opened, capTokens: baggage };
}
