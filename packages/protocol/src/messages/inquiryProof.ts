/**
 * The inquiry proof (a SET Lab decision; SET lets a cardholder without a certificate send InqReq
 * unsigned, which would let anyone who learns an XID read that purchase's state). A purchase paid
 * with an unsigned PReq is inquired about with an InqReqData extension holding
 * HMAC-SHA-256(Chall-C, DER(InqReqData without inqRqExtensions)): Chall-C is the purchase's own
 * challenge (PInitReq and OIData), which only the card that paid and the merchant hold together
 * with its XID, and the MAC binds this request's RRPID and Chall-C2, so a proof is not reusable
 * for another request. The extension is non-critical: it carries no secret, only a MAC.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { octets } from "../asn1/primitives";
import { equalConstantTime } from "../bytes";
import { HMAC } from "../crypto/digest";
import type { CryptoProvider } from "../crypto/provider";
import type { MsgExtensions } from "../schema/common";
import { SetLab } from "../schema/oids";
import { InqReqData } from "../schema/purchase";

const Proof = octets({ size: 32 });

/** The bytes the proof MACs: the request's InqReqData as it would be without extensions. */
const provenBytes = (data: InqReqData): Uint8Array => {
  const { inqRqExtensions: _, ...bare } = data;
  return encodeDer(InqReqData, bare);
};

/** The proof extension for `data`, keyed with the purchase's Chall-C. */
export async function inquiryProofExtension(
  p: CryptoProvider,
  data: InqReqData,
  chall_C: Uint8Array,
): Promise<MsgExtensions[number]> {
  const mac = await HMAC(p, chall_C, provenBytes(data));
  return { extnID: SetLab.inquiryProof, critical: false, extnValue: encodeDer(Proof, mac) };
}

/** Whether `data` carries a proof made with `chall_C`; a missing or malformed one is no proof. */
export async function provesPurchase(
  p: CryptoProvider,
  data: InqReqData,
  chall_C: Uint8Array,
): Promise<boolean> {
  const found = data.inqRqExtensions?.filter((e) => e.extnID === SetLab.inquiryProof) ?? [];
  if (found.length !== 1) return false;
  let mac: Uint8Array;
  try {
    mac = decodeDer(Proof, found[0].extnValue, "InqReqData.inquiryProof");
  } catch {
    return false;
  }
  return equalConstantTime(mac, await HMAC(p, chall_C, provenBytes(data)));
}
