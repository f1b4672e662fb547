/**
 * Embodiment 2, after the buyer confirmed: the card information, as the merchant's E2SessionKey
 * asked (claims 7-8). Session-key option: EK(K, S(C, E1CardInfo)); inside it is exactly the first
 * embodiment's signed card information, so the merchant opens it and asks the gateway as in the
 * first. Card-company option: Enc(C, P, E1CardInfo) to the gateway's key-exchange certificate; the
 * merchant cannot open it and forwards it unopened in E1AuthReq, where the gateway opens it.
 */
import { decodeDer, encodeDer } from "../../asn1/codec";
import { bytesEqual } from "../../asn1/tlv";
import { Enc } from "../../crypto/enc";
import { EK, openEK } from "../../crypto/encryptedMessage";
import { decryptionFailed } from "../../crypto/envelopedData";
import type { CryptoProvider } from "../../crypto/provider";
import { S, type Signer, verifyS } from "../../crypto/signedMessage";
import { SetError } from "../../errors";
import { checkCardholderCertificate } from "../../purchase/cardholderCertificate";
import { E1CardInfo } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import type { E1InfoResExpectations, E1InfoResReceiver, ReceivedE1InfoRes } from "../embodiment1/e1InfoRes";
import { checkCardInfo } from "../embodiment1/e1InfoRes";
import {
  checkEmbodimentDate,
  type EmbodimentIncoming,
  embodimentBodyOf,
  readEmbodiment,
  wrapEmbodiment,
} from "../embodiment1/envelope";

export async function sealE2CardInfo(
  p: CryptoProvider,
  card: Signer,
  sessionKey: Uint8Array,
  info: E1CardInfo,
  date: Date,
): Promise<Uint8Array> {
  const signed = await S(p, card, SetLab.e1CardInfo, encodeDer(E1CardInfo, info));
  const sealed = await EK(p, sessionKey, SetLab.e2CardInfo, signed);
  return wrapEmbodiment(
    { type: "e2CardInfo", value: { xid: info.xid, sealed: { type: "sessionKey", value: sealed } } },
    date,
  );
}

/** The content types of the card-company option's Enc(C, P, E1CardInfo). */
export const cardInfoToGatewayTypes = { signed: SetLab.e1CardInfo, enveloped: SetLab.e2CardInfoTBE };

/** The card-company option: the signed card information sealed to the gateway's key-exchange certificate. */
export async function sealE2CardInfoForCardCompany(
  p: CryptoProvider,
  card: Signer,
  gatewayCertificate: Uint8Array,
  info: E1CardInfo,
  date: Date,
): Promise<Uint8Array> {
  const sealed = await Enc(p, card, gatewayCertificate, cardInfoToGatewayTypes, encodeDer(E1CardInfo, info));
  return wrapEmbodiment(
    { type: "e2CardInfo", value: { xid: info.xid, sealed: { type: "cardCompany", value: sealed } } },
    date,
  );
}

/**
 * The merchant's checks of card information it asked sealed to the card company: the message
 * type; the date; sealed to the card company, not under the session key
 * (unspecifiedFailure: the card did not do as asked). The rest is the gateway's, which alone can
 * open it (receiveE1AuthReq). Returns the routing XID and the envelope to forward unopened.
 */
export function receiveE2CardInfoForCardCompany(
  message: EmbodimentIncoming,
  receiver: { readonly now: Date; readonly maxClockSkewMs?: number },
): { readonly xid: Uint8Array; readonly sealedToGateway: Uint8Array } {
  const wrapper = readEmbodiment(message);
  const { xid, sealed } = embodimentBodyOf(wrapper, "e2CardInfo");
  checkEmbodimentDate(wrapper, receiver.now, receiver.maxClockSkewMs);
  if (sealed.type !== "cardCompany")
    throw new SetError(
      "unspecifiedFailure",
      "the card information was asked sealed to the card company, not under the session key",
      "E2CardInfo.sealed",
    );
  return { xid, sealedToGateway: sealed.value };
}

/**
 * Every check of the card information under the session key: the message type; the date; under
 * the session key as asked (unspecifiedFailure); the envelope opened with the session key (decodingFailure, the one decryption failure); then the
 * first embodiment's checks of E1InfoRes (the card's signature, its certificate, LID-M, XID,
 * Chall-M, amount, brand); the signer the cardholder of the card's hello (thumbsMismatch); the
 * routing XID the signed one (wrapperMsgMismatch).
 */
export async function receiveE2CardInfo(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  sessionKey: Uint8Array,
  expected: E1InfoResExpectations & { readonly cardholderCertificate: Uint8Array },
  receiver: E1InfoResReceiver,
): Promise<ReceivedE1InfoRes> {
  const wrapper = readEmbodiment(message);
  const { xid, sealed } = embodimentBodyOf(wrapper, "e2CardInfo");
  checkEmbodimentDate(wrapper, receiver.now, receiver.maxClockSkewMs);
  if (sealed.type !== "sessionKey")
    throw new SetError(
      "unspecifiedFailure",
      "the card information was asked under the session key, not sealed to the card company",
      "E2CardInfo.sealed",
    );
  const signedCardInfo = await openEK(p, sessionKey, sealed.value, { contentType: SetLab.e2CardInfo });
  let verified: Awaited<ReturnType<typeof verifyS>>;
  try {
    verified = await verifyS(p, signedCardInfo, { contentType: SetLab.e1CardInfo });
  } catch {
    // Decrypted bytes that do not verify look like any other decryption failure.
    throw decryptionFailed();
  }
  if (!bytesEqual(verified.signerCertificate, expected.cardholderCertificate))
    throw new SetError(
      "thumbsMismatch",
      "another card than the hello's signed the card information",
      "E2CardInfo",
    );
  const cardholder = await checkCardholderCertificate(
    p,
    verified.signerCertificate,
    verified.certificates,
    receiver.trust,
  );
  const info = decodeDer(E1CardInfo, verified.content, "E1CardInfo");
  checkCardInfo(info, cardholder, expected);
  if (!bytesEqual(xid, info.xid))
    throw new SetError("wrapperMsgMismatch", "the routing XID is not the signed one", "E2CardInfo.xid");
  return { info, cardholder, signedCardInfo };
}
