/**
 * Embodiment 1: the merchant asks the card company to authorize, over a message of its own:
 * Enc(M, P, E1AuthReqData), the card's signed card information inside, sealed to the gateway's
 * key-exchange certificate. The gateway checks the merchant and, from the card's own signature,
 * the cardholder; the account against the certificate and the expiry are business outcomes
 * (AuthCode), as in the third embodiment's AuthReq.
 */
import { decodeDer, encodeDer } from "../../asn1/codec";
import type { SetCertificate } from "../../cert/setCertificate";
import type { Trust } from "../../cert/trust";
import { Enc, openEnc } from "../../crypto/enc";
import type { Decrypter } from "../../crypto/envelopedData";
import type { CryptoProvider } from "../../crypto/provider";
import { type Signer, verifyS } from "../../crypto/signedMessage";
import { accountMatchesCertificate, cardExpired } from "../../purchase/accountCheck";
import { checkCardholderCertificate } from "../../purchase/cardholderCertificate";
import { E1AuthReqData, E1CardInfo } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { type AnsweredRequests, isRepeat } from "../answeredRequests";
import { cardInfoToGatewayTypes } from "../embodiment2/e2CardInfo";
import { fingerprintOf } from "../incoming";
import { checkPartyCertificate } from "../partyCertificate";
import { checkCardInfo } from "./e1InfoRes";
import {
  checkEmbodimentDate,
  type EmbodimentIncoming,
  embodimentBodyOf,
  readEmbodiment,
  wrapEmbodiment,
} from "./envelope";

const types = { signed: SetLab.e1AuthReqTBS, enveloped: SetLab.e1AuthReqTBE };

export async function sealE1AuthReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: E1AuthReqData,
  date: Date,
): Promise<Uint8Array> {
  const sealed = await Enc(p, merchant, gatewayKexCertificate, types, encodeDer(E1AuthReqData, data));
  return wrapEmbodiment({ type: "e1AuthReq", value: sealed }, date);
}

export interface E1AuthReqReceiver {
  /** The gateway's key-exchange certificate and key. */
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  /** The authorization requests already taken, by AuthRRPID. */
  readonly answered?: AnsweredRequests;
}

export interface ReceivedE1AuthReq {
  readonly data: E1AuthReqData;
  readonly info: E1CardInfo;
  readonly merchant: SetCertificate;
  readonly cardholder: SetCertificate;
  /** SHA-256 of the bytes (hex), recorded beside the AuthRRPID. */
  readonly fingerprint: string;
  /** The same request again: answer with the stored answer. */
  readonly repeat: boolean;
  /** A business refusal the issuer is not asked about, as its AuthCode. */
  readonly refusal?: "piAuthMismatch" | "expiredCard";
}

/**
 * Every check of the request: the message type; the envelope opened and the merchant's signature
 * verified (any failure there is the one decodingFailure, no padding oracle); the AuthRRPID against
 * those taken (a retry is a repeat, a reuse unknownRRPID); the date; the signer a merchant
 * signature certificate chained to the pinned root (invalidCertificate ...); the card's own
 * signature (signatureFailure; under the card-company option the card's envelope to this gateway
 * opened first, any failure there decodingFailure) by a cardholder certificate of the merchant's brand
 * (invalidCertificate ...); the XID and amount the merchant asks the ones the card signed
 * (unknownXID, unspecifiedFailure). Then, as AuthCodes: the PAN is the certificate's account
 * (piAuthMismatch), the card not expired (expiredCard).
 */
export async function receiveE1AuthReq(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  receiver: E1AuthReqReceiver,
): Promise<ReceivedE1AuthReq> {
  const wrapper = readEmbodiment(message);
  const sealed = embodimentBodyOf(wrapper, "e1AuthReq");
  const opened = await openEnc(p, receiver.decrypter, sealed, types);
  const data = decodeDer(E1AuthReqData, opened.content, "E1AuthReqData");
  // The envelope, not the wrapper: a retry resends the same envelope whatever its wrapper's date.
  const fingerprint = fingerprintOf(sealed);
  const repeat = await isRepeat(receiver.answered, data.authRRPID, fingerprint, "E1AuthReqData.authRRPID");
  const merchantChain = await checkPartyCertificate(
    p,
    opened.signerCertificate,
    opened.certificates,
    receiver.trust,
    {
      role: "mer",
      use: "signature",
    },
  );
  const merchant = merchantChain.leaf;
  if (!repeat) checkEmbodimentDate(wrapper, receiver.now, receiver.maxClockSkewMs);
  // The card's signature as the merchant checked it, or (the second embodiment's card-company
  // option) the card's envelope to this gateway, which only the gateway opens: a failure to open or
  // verify it is the one decodingFailure.
  const card =
    data.cardInfo.type === "signed"
      ? await verifyS(p, data.cardInfo.value, { contentType: SetLab.e1CardInfo })
      : await openEnc(p, receiver.decrypter, data.cardInfo.value, cardInfoToGatewayTypes);
  const cardholder = await checkCardholderCertificate(
    p,
    card.signerCertificate,
    card.certificates,
    receiver.trust,
  );
  const info = decodeDer(E1CardInfo, card.content, "E1CardInfo");
  checkCardInfo(info, cardholder, {
    xid: data.xid,
    purchAmt: data.purchAmt,
    brands: merchant.brand ? [merchant.brand] : [],
  });
  const base = { data, info, merchant, cardholder, fingerprint, repeat };
  if (!(await accountMatchesCertificate(p, info, cardholder))) return { ...base, refusal: "piAuthMismatch" };
  if (cardExpired(info.cardExpiry, receiver.now)) return { ...base, refusal: "expiredCard" };
  return base;
}
