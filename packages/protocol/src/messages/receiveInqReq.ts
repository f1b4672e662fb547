/** The merchant receives InqReq (digest 3.6). */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { toHex } from "../bytes";
import { sha256Hex } from "../cert/digest";
import { namingSigner } from "../cert/errorThumb";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { verifyS } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { checkCardholderCertificate } from "../purchase/cardholderCertificate";
import { checkCriticalExtensions, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import { SetLab } from "../schema/oids";
import { InqReqData } from "../schema/purchase";
import { type AnsweredRequests, isRepeat } from "./answeredRequests";
import { checkHeaderDate } from "./headerDate";
import { asRead, bodyOf, fingerprintOf, type Incoming } from "./incoming";
import { provesPurchase } from "./inquiryProof";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

/** A purchase as the merchant took it: what an inquiry about it must match. */
export interface InquiredPurchase {
  /** The TransIDs its PInitRes fixed. */
  readonly transIDs: TransIDs;
  /**
   * SHA-256 (hex) of the cardholder certificate that signed its PReq; absent when the PReq was
   * unsigned.
   */
  readonly cardholder?: string;
  /** Its Chall-C: the key of the inquiry proof for a purchase paid unsigned. */
  readonly chall_C: Uint8Array;
}

export interface InqReqReceiver {
  readonly trust: Trust;
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  readonly understoodExtensions?: readonly string[];
  /** The InqReqs already answered, by InqReqData.RRPID. */
  readonly answered?: AnsweredRequests;
  /** The purchase a PReq took under this XID (hex), if any. */
  purchaseOf(xidHex: string): Promise<InquiredPurchase | undefined> | InquiredPurchase | undefined;
}

export type ReceivedInqReq =
  | { readonly repeat: true; readonly data: InqReqData; readonly fingerprint: string }
  | {
      readonly repeat: false;
      readonly data: InqReqData;
      readonly header: MessageHeader;
      readonly fingerprint: string;
      readonly purchase: InquiredPurchase;
      /** The cardholder certificate of a signed InqReq. */
      readonly cardholderCertificate?: SetCertificate;
    };

/** The one answer for every inquiry the sender may not make: nothing tells them apart. */
const notYours = () =>
  new SetError("unknownXID", "no purchase of this cardholder has this XID", "InqReqData.transIDs.xid");

/**
 * Every check of an InqReq: the message type; for the signed form the signature over InqReqData
 * (content type SetLab.InqReqData: signatureFailure); critical extensions (unrecognizedExtension);
 * header ids against InqReqData (wrapperMsgMismatch); the RRPID against the ones answered (a
 * repeat gets the stored answer, another request under it is unknownRRPID); the header date
 * (messageTooOld/New); the signer's cardholder certificate (card role, signature use, chained to
 * the pinned root: invalidCertificate and the chain's codes). Then who may ask: the XID must name
 * a purchase a PReq took, with exactly these TransIDs, and the sender must be its payer: the
 * cardholder certificate that signed the PReq must sign the InqReq, and a purchase paid unsigned
 * must be asked about with the inquiry proof keyed with its Chall-C. Each of these failures is the
 * same unknownXID, so a stranger learns nothing, not even that the XID exists.
 */
export async function receiveInqReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: InqReqReceiver,
): Promise<ReceivedInqReq> {
  const { bytes, wrapper } = asRead(message, receiver.understoodExtensions);
  const inqReq = await bodyOf(p, wrapper, "inquiryRequest");
  let data: InqReqData;
  let signed: { signerCertificate: Uint8Array; certificates: Uint8Array[] } | undefined;
  if (inqReq.type === "inqReqSigned") {
    const verified = await namingSigner(inqReq.value, [], () =>
      verifyS(p, inqReq.value, { contentType: SetLab.InqReqData }),
    );
    data = decodeDer(InqReqData, verified.content, "InqReqData");
    signed = verified;
  } else data = inqReq.value;
  checkCriticalExtensions(
    data.inqRqExtensions,
    [...(receiver.understoodExtensions ?? []), SetLab.inquiryProof],
    "InqReqData.inqRqExtensions",
  );
  const header = wrapper.messageHeader;
  checkWrapperIds(header, protectedIdsOf(data.transIDs, data.rrpid));
  const fingerprint = fingerprintOf(bytes);
  if (await isRepeat(receiver.answered, data.rrpid, fingerprint, "InqReqData.rrpid"))
    return { repeat: true, data, fingerprint };
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  const cardholderCertificate = signed
    ? await checkCardholderCertificate(p, signed.signerCertificate, signed.certificates, receiver.trust)
    : undefined;

  const purchase = await receiver.purchaseOf(toHex(data.transIDs.xid));
  if (!purchase || !bytesEqual(encodeDer(TransIDs, data.transIDs), encodeDer(TransIDs, purchase.transIDs)))
    throw notYours();
  if (purchase.cardholder !== undefined) {
    if (!signed || sha256Hex(signed.signerCertificate) !== purchase.cardholder) throw notYours();
  } else if (!(await provesPurchase(p, data, purchase.chall_C))) throw notYours();
  return {
    repeat: false,
    data,
    header,
    fingerprint,
    purchase,
    ...(cardholderCertificate ? { cardholderCertificate } : {}),
  };
}
