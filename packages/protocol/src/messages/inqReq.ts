/**
 * InqReq (digest 3.6): the cardholder asks the merchant for the state of a purchase, typically one
 * answered `orderReceived`. Signed, S(C, InqReqData), by a cardholder whose PReq was signed; a
 * purchase paid with an unsigned PReq is asked about unsigned, with the inquiry proof
 * (inquiryProof.ts) that only its payer can make.
 */
import { encodeDer } from "../asn1/codec";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer } from "../crypto/signedMessage";
import type { TransIDs } from "../schema/common";
import { SetLab } from "../schema/oids";
import { type InqReq, InqReqData } from "../schema/purchase";
import { inquiryProofExtension } from "./inquiryProof";

export interface InqReqInput {
  /** The purchase's TransIDs as PInitRes fixed them. */
  readonly transIDs: TransIDs;
  /** Fresh for this request. */
  readonly rrpid: Uint8Array;
  /** Fresh for this request: the InqRes must echo it as its Chall-C. */
  readonly chall_C2: Uint8Array;
  /** The cardholder's signature key and certificate, when the purchase's PReq was signed with them. */
  readonly signer?: Signer;
  /** The purchase's Chall-C: adds the inquiry proof (for a purchase paid with an unsigned PReq). */
  readonly chall_C?: Uint8Array;
}

export async function buildInqReq(p: CryptoProvider, input: InqReqInput): Promise<InqReq> {
  const bare: InqReqData = { transIDs: input.transIDs, rrpid: input.rrpid, chall_C2: input.chall_C2 };
  const data: InqReqData = input.chall_C
    ? { ...bare, inqRqExtensions: [await inquiryProofExtension(p, bare, input.chall_C)] }
    : bare;
  if (!input.signer) return { type: "inqReqUnsigned", value: data };
  return {
    type: "inqReqSigned",
    value: await S(p, input.signer, SetLab.InqReqData, encodeDer(InqReqData, data)),
  };
}
