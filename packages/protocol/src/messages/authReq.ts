/**
 * AuthReq = EncB(M, P, AuthReqData, PI) (patent steps S42-S46), a row of encBMessages.ts. The PI
 * is the cardholder's, as received: the merchant cannot open it and forwards its bytes unchanged
 * as the baggage.
 */
import { decodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { AuthReq, AuthReqData } from "../schema/payment";
import { PI } from "../schema/purchase";
import { encBFunctions, encBMessages, type OpenEncBOptions, openEncBMessage } from "./encBMessages";
import type { MerchantCertificates } from "./merchantCertificates";

/**
 * AuthReq = EncB(M, P, AuthReqData, PI); the baggage is the DER of the PI CHOICE. The merchant's
 * key-exchange certificate must ride in `merchant.chain`: the gateway seals AuthRes to it.
 */
export const sealAuthReq = encBFunctions(encBMessages.AuthReq).seal;

export interface OpenedAuthReq extends MerchantCertificates {
  readonly data: AuthReqData;
  readonly pi: PI;
  readonly piDer: Uint8Array;
}

/** `brand`: the brand the AuthReq was sealed for (the gateway key it names): both merchant certificates must be of it. */
export type OpenAuthReqOptions = OpenEncBOptions;

/**
 * The gateway opens an AuthReq: decrypt, verify the merchant's signature, check the baggage
 * linkage (one generic decryption error); check the merchant's signature certificate (mer,
 * signature, brand, chain to the pinned root, revocation) and its merchantData; check the
 * key-exchange certificate it carries (mer, keyEncipherment, the same brand and merID, the same
 * issuing CA, chain, revocation), which is where the AuthRes goes, so a merchant the gateway never
 * saw is served; refuse any other carried certificate; then decode AuthReqData and the PI strictly.
 */
export async function openAuthReq(
  p: CryptoProvider,
  gateway: Decrypter,
  authReq: AuthReq,
  trust: Trust,
  options: OpenAuthReqOptions = {},
): Promise<OpenedAuthReq> {
  const { baggage, ...opened } = await openEncBMessage(
    encBMessages.AuthReq,
    p,
    gateway,
    authReq,
    trust,
    options,
  );
  const piDer = new Uint8Array(baggage);
  return { ...opened, pi: decodeDer(PI, piDer, "PI"), piDer };
}
