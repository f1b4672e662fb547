/**
 * The gateway receives AuthReq (digest 3.5, patent steps S44-S49). Protocol failures are
 * SetErrors (the gateway answers them with a SET Error); the business outcomes SET answers with
 * an AuthCode (docs/decisions.md, "Purchase") come back as a refusal for the gateway to put in
 * its AuthRes.
 */

import { encodeDer } from "../asn1/codec";
import { concatBytes } from "../asn1/tlv";
import { sha256, sha256Hex } from "../cert/digest";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import { accountMatchesCertificate, cardExpired } from "../purchase/accountCheck";
import {
  type AuthorizationContext,
  type OpenedPI,
  openPIDualSigned,
  openPIUnsigned,
} from "../purchase/gateway";
import { PurchaseCheckError } from "../purchase/purchaseCheck";
import type { MessageHeader } from "../schema/header";
import { type AuthCode, AuthReqData } from "../schema/payment";
import type { PIHead } from "../schema/purchase";
import { type AnsweredRequests, isRepeat } from "./answeredRequests";
import { type OpenedAuthReq, openAuthReq } from "./authReq";
import { checkHeaderDate } from "./headerDate";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { type AuthTokenReceiver, judgeAuthToken, type SubsequentAuthorization } from "./judgeAuthToken";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

export interface AuthReqReceiver extends AuthTokenReceiver {
  /** The brand whose key-exchange key the envelope names, and that key. */
  readonly brand: string;
  readonly gatewayKex: Decrypter;
  /** Pinned root, CA certificates, revocation material; `at` is the time of checking. */
  readonly trust: Trust;
  /** The receiver's clock, for the header date. */
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  /**
   * The merIDs the acquirer has enrolled for this brand: a merchant with a valid certificate whose
   * merID is not among them is refused (invalidCertificate, naming its signature certificate).
   */
  readonly enrolledMerIDs: readonly string[];
  /** The brand requires a cardholder certificate: an unsigned PI is refused (AuthCode cardCertRequired). */
  readonly cardCertRequired: boolean;
  /** The brand requires the hardened profile's ProfileBinding (a PI that carries one is always checked). */
  readonly hardenedRequired: boolean;
  /** PIHead extensions (OIDs) the gateway understands. */
  readonly understoodExtensions?: readonly string[];
  /** The AuthReqs already taken, by AuthRRPID. */
  readonly answered?: AnsweredRequests;
}

/** What SET answers with an AuthCode rather than an Error. */
export type AuthReqRefusal = {
  readonly authCode: Extract<
    AuthCode,
    | "authTokenRejected"
    | "amountError"
    | "cardCertRequired"
    | "merchantMismatch"
    | "piAuthMismatch"
    | "expiredCard"
  >;
  /** Why, for the gateway's log (never a PAN). */
  readonly reason: string;
};

/** A PI that passed every check: the account for the issuer to decide on. */
export interface AuthReqAccount {
  readonly pan: string;
  readonly cardExpiry: string;
  readonly piHead: PIHead;
  /** Absent for the unsigned form. */
  readonly cardholder?: SetCertificate;
}

interface ReceivedBase extends OpenedAuthReq {
  readonly header: MessageHeader;
  /** SHA-256 (hex) over AuthReqData and the PI: what tells a retry from a reuse of the AuthRRPID. */
  readonly fingerprint: string;
}

export type ReceivedAuthReq =
  | (ReceivedBase & { readonly repeat: true })
  | (ReceivedBase & {
      readonly repeat: false;
      readonly outcome:
        | ({ readonly kind: "refused" } & AuthReqRefusal & { readonly piHead?: PIHead })
        | ({ readonly kind: "account" } & AuthReqAccount)
        | SubsequentAuthorization;
    });

const refused = (authCode: AuthReqRefusal["authCode"], reason: string, piHead?: PIHead) => ({
  kind: "refused" as const,
  authCode,
  reason,
  ...(piHead ? { piHead } : {}),
});

/**
 * Every check of an AuthReq (digest 6, "Gateway"), in this order:
 * 1. the message type; `openAuthReq`: envelope, merchant signature and baggage (one generic
 *    decryption failure), the merchant's signature certificate (mer, of this brand, chain,
 *    revocation, merchantData) and the key-exchange certificate it carries (mer,
 *    keyEncipherment, same merID, same issuing CA, chain, revocation), nothing else carried; the
 *    merchant enrolled with the acquirer for the brand (invalidCertificate);
 * 2. header ids against AuthTags (wrapperMsgMismatch); the AuthRRPID against the ones taken (a
 *    retry is a repeat: nothing more is judged; a reuse with other content unknownRRPID); for a
 *    new request the header date (messageTooOld/New);
 * 3. the PI: an AuthToken is the subsequent form (`judgeAuthToken`: issued by this gateway to
 *    this merchant for this transaction, unspent, within what remains and the installment or
 *    recurring schedule; authTokenRejected, amountError, merchantMismatch), the unsigned form where the brand
 *    requires a certificate is refused (cardCertRequired); CheckDigests present; the PI opened and
 *    tied to the AuthReq (`openPIDualSigned` / `openPIUnsigned`: dual signature, cardholder
 *    certificate of this brand, HOIData, HOD, whole TransIDs, amount, hardened binding);
 * 4. refusals: MerchantID (AuthRRTags' or PIHead's) other than the signer's merID
 *    (merchantMismatch), the PAN not the cardholder certificate's account (piAuthMismatch), the
 *    card expired (expiredCard).
 */
export async function receiveAuthReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: AuthReqReceiver,
): Promise<ReceivedAuthReq> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "authorizationRequest");
  const opened = await openAuthReq(p, receiver.gatewayKex, body, receiver.trust, { brand: receiver.brand });
  if (!receiver.enrolledMerIDs.includes(opened.merID))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        `merchant ${opened.merID} is not enrolled with this acquirer for ${receiver.brand}`,
        opened.merchant.where,
      ),
      sha256(opened.merchant.tbs),
    );
  const header = wrapper.messageHeader;
  const item = opened.data.authReqItem;
  const tags = item.authTags;
  checkWrapperIds(header, protectedIdsOf(tags.transIDs, tags.authRRTags.rrpid));
  const fingerprint = sha256Hex(concatBytes([encodeDer(AuthReqData, opened.data), opened.piDer]));
  const base = { ...opened, header, fingerprint };
  if (await isRepeat(receiver.answered, tags.authRRTags.rrpid, fingerprint, "AuthRRTags.rrpid"))
    return { ...base, repeat: true };
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  return { ...base, repeat: false, outcome: await judgePI(p, opened, receiver) };
}

async function judgePI(p: CryptoProvider, o: OpenedAuthReq, receiver: AuthReqReceiver) {
  const { brand } = receiver;
  const item = o.data.authReqItem;
  if (o.pi.type === "authToken") return judgeAuthToken(p, o, o.pi.value, receiver);
  if (o.pi.type === "piUnsigned" && receiver.cardCertRequired)
    return refused("cardCertRequired", `${brand} requires a cardholder certificate`);
  if (!item.checkDigests)
    throw new PurchaseCheckError("hOIDataMismatch", "AuthReqItem carries no CheckDigests for the PI");
  const ctx: AuthorizationContext = {
    gatewayKex: receiver.gatewayKex,
    checkDigests: item.checkDigests,
    // No merchantID: a mismatch is not an Error but the AuthCode merchantMismatch, decided below.
    transIDs: item.authTags.transIDs,
    authReqAmt: item.authReqPayload.authReqAmt,
    understoodExtensions: receiver.understoodExtensions,
    hardened: {
      // Both thumbs are computed once per certificate object (parsed once, cached).
      gatewayThumb: await parseSetCertificate(receiver.gatewayKex.certificate).thumb(),
      merchantThumb: await o.merchant.thumb(),
      required: receiver.hardenedRequired,
    },
  };
  const opened: OpenedPI =
    o.pi.type === "piDualSigned"
      ? await openPIDualSigned(p, o.pi.value, ctx, receiver.trust)
      : await openPIUnsigned(p, o.pi.value, ctx);
  const cardholder = opened.cardholderCertificate;
  if (cardholder && cardholder.brand !== brand)
    throw namingCertificate(
      new PurchaseCheckError("cardholderCertificate", `the cardholder certificate is not a ${brand} card`),
      await cardholder.thumb(),
    );
  const piHead = opened.piHead;
  if (piHead.merchantID !== o.merID || item.authTags.authRRTags.merTermIDs.merchantID !== o.merID)
    return refused("merchantMismatch", "a MerchantID is not the merID of the merchant's certificate", piHead);
  const account = opened.panData ?? opened.panToken!;
  if (opened.panData && cardholder && !(await accountMatchesCertificate(p, opened.panData, cardholder)))
    return refused("piAuthMismatch", "the PAN is not the certificate's account", piHead);
  if (cardExpired(account.cardExpiry, receiver.trust.at))
    return refused("expiredCard", "the card's expiry date has passed", piHead);
  return {
    kind: "account" as const,
    pan: account.pan,
    cardExpiry: account.cardExpiry,
    piHead,
    ...(cardholder ? { cardholder } : {}),
  };
}
