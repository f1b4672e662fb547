/**
 * PCertReq = S(M, PCertReqData) (digest 3.7; patent step S31): the merchant asks a gateway for its
 * current key-exchange certificates, per brand and BIN, instead of relying on configuration alone.
 */
import { encodeDer } from "../asn1/codec";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { PCertReqData } from "../schema/payment";

export function signPCertReq(p: CryptoProvider, merchant: Signer, data: PCertReqData): Promise<Uint8Array> {
  return S(p, merchant, ContentType.PCertReqData, encodeDer(PCertReqData, data));
}
