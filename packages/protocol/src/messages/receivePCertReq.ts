/** The gateway receives PCertReq (digest 3.7). */
import { decodeDer } from "../asn1/codec";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { sha256 } from "../cert/digest";
import { namingSigner } from "../cert/errorThumb";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { verifyS } from "../crypto/signedMessage";
import { namingCertificate, SetError } from "../errors";
import { checkCriticalExtensions } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import { ContentType } from "../schema/oids";
import { PCertReqData } from "../schema/payment";
import { checkHeaderDate } from "./headerDate";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkPartyCertificate } from "./partyCertificate";
import { checkWrapperIds } from "./wrapperIds";

export interface PCertReqReceiver {
  readonly trust: Trust;
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  readonly understoodExtensions?: readonly string[];
  /** The merIDs the acquirer serves (any brand); absent: any certified merchant may ask. */
  readonly enrolledMerIDs?: readonly string[];
}

export interface ReceivedPCertReq {
  readonly data: PCertReqData;
  readonly merchant: SetCertificate;
  readonly merID: string;
  readonly header: MessageHeader;
}

/**
 * Every check of a PCertReq: the message type; the signature over PCertReqData (signatureFailure);
 * the signer a merchant signature certificate chained to the pinned root (invalidCertificate and
 * the chain's codes) with merchantData, enrolled when the acquirer lists its merchants, and the
 * MerchantID of PCertRRTags its merID (invalidCertificate, naming the certificate); nothing carried
 * off its path; critical extensions (unrecognizedExtension); the header's RRPID that of
 * PCertRRTags (wrapperMsgMismatch); the header date (messageTooOld/New). A PCertReq changes
 * nothing, so a repeat is simply answered again.
 */
export async function receivePCertReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: PCertReqReceiver,
): Promise<ReceivedPCertReq> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const body = await bodyOf(p, wrapper, "pCertificateRequest");
  const verified = await namingSigner(body, [], () =>
    verifyS(p, body, { contentType: ContentType.PCertReqData }),
  );
  const data = decodeDer(PCertReqData, verified.content, "PCertReqData");
  const chain = await checkPartyCertificate(
    p,
    verified.signerCertificate,
    verified.certificates,
    receiver.trust,
    {
      role: "mer",
      use: "signature",
    },
  );
  refuseUnvalidatedCarried(verified.certificates, [chain], "PCertReq.certificates");
  const merchant = chain.leaf;
  const naming = (why: string) =>
    namingCertificate(new SetError("invalidCertificate", why, merchant.where), sha256(merchant.tbs));
  const merID = merchant.merchantData?.merID;
  if (!merID) throw naming("the merchant's certificate carries no merchantData");
  if (receiver.enrolledMerIDs && !receiver.enrolledMerIDs.includes(merID))
    throw naming(`merchant ${merID} is not enrolled with this acquirer`);
  if (data.pCertRRTags.merTermIDs.merchantID !== merID)
    throw naming("PCertRRTags names another MerchantID than the signing merchant's certificate");
  checkCriticalExtensions(
    data.pCRqExtensions,
    receiver.understoodExtensions ?? [],
    "PCertReqData.pCRqExtensions",
  );
  const header = wrapper.messageHeader;
  checkWrapperIds(header, { rrpid: data.pCertRRTags.rrpid });
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  return { data, merchant, merID, header };
}
