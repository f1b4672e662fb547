/**
 * PCertRes = S(P, PCertResTBS): one PCertResItem per BrandAndBIN asked, in its order; a success
 * names the gateway's key-exchange certificate by its thumbprint, and the certificate itself (with
 * its CA chain) travels in the SignedData's certificates.
 */
import { encodeDer } from "../asn1/codec";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { PCertResTBS } from "../schema/payment";

/** `gateway`'s chain must carry the key-exchange certificates the items name. */
export function signPCertRes(p: CryptoProvider, gateway: Signer, data: PCertResTBS): Promise<Uint8Array> {
  return S(p, gateway, ContentType.PCertResTBS, encodeDer(PCertResTBS, data));
}
