/**
 * AuthReq = EncB(M, P, AuthReqData, PI) (patent steps S42-S46), a row of encBMessages.ts. The PI
 * is the cardholder's, as received: the merchant cannot open it and forwards its DER unchanged as
 * the baggage; the merchant's key-exchange certificate must ride in `merchant.chain`: the gateway
 * seals AuthRes to it.
 *
 * The gateway opens an AuthReq: decrypt, verify the merchant's signature, check the baggage
 * linkage (one generic decryption error); check the merchant's signature certificate (mer,
 * signature, brand, chain to the pinned root, revocation) and its merchantData; check the
 * key-exchange certificate it carries (mer, keyEncipherment, the same brand and merID, the same
 * issuing CA, chain, revocation), which is where the AuthRes goes, so a merchant the gateway never
 * saw is served; refuse any other carried certificate; then decode AuthReqData and the PI strictly.
 */
import { decodeDer } from "../asn1/codec";
import type { AuthReqData } from "../schema/payment";
import { PI } from "../schema/purchase";
import { encBFunctions, encBMessages } from "./encBMessages";
import type { MerchantCertificates } from "./merchantCertificates";
import type { OpenSealedOptions } from "./sealedSender";

export interface OpenedAuthReq extends MerchantCertificates {
  readonly data: AuthReqData;
  readonly pi: PI;
  readonly piDer: Uint8Array;
}

/** `brand`: the brand the AuthReq was sealed for (the gateway key it names): both merchant certificates must be of it. */
export type OpenAuthReqOptions = OpenSealedOptions;

export const { seal: sealAuthReq, open: openAuthReq } = encBFunctions(
  encBMessages.AuthReq,
  ({ baggage, ...opened }): OpenedAuthReq => {
    const piDer = new Uint8Array(baggage);
    return { ...opened, pi: decodeDer(PI, piDer, "PI"), piDer };
  },
);
