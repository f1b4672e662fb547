/**
 * InqRes = S(M, PResData) (digest 3.6): the merchant's signed answer to an InqReq, PRes's content
 * with the InqReq's RRPID and Chall-C2 in place of PReq's RRPID and Chall-C. Since the challenge is
 * fresh per inquiry, neither the purchase's PRes nor an earlier InqRes passes for it.
 */

import { encodeDer } from "../asn1/codec";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { PResData } from "../schema/purchase";

export function signInqRes(p: CryptoProvider, merchant: Signer, data: PResData): Promise<Uint8Array> {
  return S(p, merchant, ContentType.PResData, encodeDer(PResData, data));
}
