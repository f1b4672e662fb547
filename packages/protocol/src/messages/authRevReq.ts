/**
 * AuthRevReq = EncB(M, P, AuthRevReqData, AuthRevReqBaggage), a row of encBMessages.ts: the
 * merchant asks the gateway to reduce or cancel an authorization it has not captured. The request
 * carries the original AuthReqData and AuthResPayload under the merchant's signature, and as
 * baggage the cardholder's PI exactly as the AuthReq carried it, with the authorization's CapToken
 * when it has one.
 */
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { AuthRevReq, AuthRevReqData, CapToken } from "../schema/payment";
import { encBFunctions, encBMessages, sealEncBMessage } from "./encBMessages";
import type { MerchantCertificates } from "./merchantCertificates";

/**
 * AuthRevReq = EncB(M, P, AuthRevReqData, {PI, [CapToken]}). `piDer` is the PI's DER as the
 * AuthReq carried it. As for AuthReq, the merchant's key-exchange certificate must ride in
 * `merchant.chain`: the gateway seals AuthRevRes to it.
 */
export function sealAuthRevReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: AuthRevReqData,
  piDer: Uint8Array,
  capToken?: CapToken,
): Promise<AuthRevReq> {
  const baggage = { pi: piDer, ...(capToken ? { capToken } : {}) };
  return sealEncBMessage(encBMessages.AuthRevReq, p, merchant, gatewayKexCertificate, data, baggage);
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
export const openAuthRevReq = encBFunctions(
  encBMessages.AuthRevReq,
  ({ baggage, ...opened }): OpenedAuthRevReq => ({
    ...opened,
    piDer: baggage.pi,
    ...(baggage.capToken ? { capToken: baggage.capToken } : {}),
  }),
).open;
