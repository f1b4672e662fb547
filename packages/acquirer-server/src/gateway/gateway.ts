/**
 * The payment gateway's core (patent steps S44-S51): AuthReq bytes in, AuthRes or SET Error bytes
 * out. Protocol failures (decoding, signatures, certificates, header/body ids, digests, the PI's
 * ties to the AuthReq) are SET Errors; business outcomes (the issuer's answer, a PAN that is not
 * the certificate's, an expired card, a missing cardholder certificate, a second authorization of
 * one XID) are AuthRes with an AuthCode. No socket here: the fastify shell calls `handleAuthReq`.
 */
import {
  bytesEqual,
  type CryptoProvider,
  type ErrorCode,
  encodeDer,
  errorMessage,
  H,
  isErrorMessage,
  type OpenedPI,
  openAuthReq,
  openPIDualSigned,
  openPIUnsigned,
  PurchaseCheckError,
  parseSetCertificate,
  type SetCertificate,
  SetError,
  schema,
  sealAuthRes,
  type Trust,
  thumbOf,
  toHex,
  wrapMessage,
} from "@setlab/protocol";
import { decideAuthorization } from "../issuer/issuerSimulator";
import type { AuthorizationRow, GatewayStore } from "../store/gatewayStore";
import { accountMatchesCertificate, cardExpired } from "./accountCheck";
import { type AuthorizationPolicy, defaultPolicy } from "./authorizationPolicy";
import { type AuthDecision, authResBaggageFor, authResDataFor } from "./authResData";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { SerialQueue } from "./serialQueue";

/** Where the gateway finds a merchant's key-exchange certificate (to seal AuthRes to). */
export type MerchantKexDirectory = (brand: string, merID: string) => Uint8Array | undefined;

export interface GatewayOptions {
  readonly provider: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  readonly merchantKex: MerchantKexDirectory;
  /** Pinned root and CA certificates; the time of checking is taken per request. */
  readonly trust: Omit<Trust, "at">;
  readonly store: GatewayStore;
  readonly policy?: Partial<AuthorizationPolicy>;
}

/** What happened to one request, for the shell's log. Never carries a PAN. */
export interface AuthReqOutcome {
  /** The bytes to answer with; empty when the request was an Error (never answered). */
  readonly response: Uint8Array;
  readonly kind: "authRes" | "replay" | "error" | "dropped";
  readonly xid?: string;
  readonly authRRPID?: string;
  readonly brand?: string;
  readonly merchantID?: string;
  readonly authCode?: string;
  readonly errorCode?: ErrorCode;
  /** A short reason: the issuer's, or the failure's message. */
  readonly reason?: string;
  /** Set when an unexpected exception (not a SetError) was turned into unspecifiedFailure. */
  readonly internal?: boolean;
}

interface Opened {
  readonly keys: GatewayBrandKeys;
  readonly wrapperHeader: schema.MessageHeader;
  readonly data: schema.AuthReqData;
  readonly pi: schema.PI;
  readonly merchant: SetCertificate;
  readonly merID: string;
  readonly merchantKex: Uint8Array;
  readonly requestHash: string;
  readonly at: Date;
}

export class Gateway {
  private readonly p: CryptoProvider;
  private readonly policy: AuthorizationPolicy;
  private readonly queue = new SerialQueue();
  private readonly gatewayKexOf = new Map<string, SetCertificate>();

  constructor(private readonly options: GatewayOptions) {
    this.p = options.provider;
    this.policy = { ...defaultPolicy, ...options.policy };
    for (const k of options.keys)
      this.gatewayKexOf.set(k.brand, parseSetCertificate(k.decrypter.certificate));
  }

  async handleAuthReq(bytes: Uint8Array): Promise<AuthReqOutcome> {
    const request = new Uint8Array(bytes);
    // SET never answers an Error with an Error.
    if (isErrorMessage(request))
      return { response: new Uint8Array(0), kind: "dropped", reason: "Error message" };
    let keys: GatewayBrandKeys | undefined;
    let ids: Pick<AuthReqOutcome, "xid" | "authRRPID" | "brand" | "merchantID"> = {};
    try {
      const at = this.p.now();
      const wrapper = schema.decodeMessage(request);
      if (wrapper.message.type !== "authorizationRequest")
        throw new SetError(
          "messageNotSupported",
          `a gateway does not take ${wrapper.message.type}`,
          "Message",
        );
      const authReq = wrapper.message.value;
      keys = keysForEnvelope(authReq.authReqEnvelope, this.options.keys);
      const opened = await this.open(keys, wrapper.messageHeader, authReq, at);
      const tags = opened.data.authReqItem.authTags;
      ids = {
        xid: toHex(tags.transIDs.xid),
        authRRPID: toHex(tags.authRRTags.rrpid),
        brand: keys.brand,
        merchantID: opened.merID,
      };
      // A repeat of an answered AuthReq gets the stored AuthRes whatever its age: a merchant that
      // was down re-sends the same bytes after a restart, and nothing new is decided.
      const seen = this.options.store.authorization(ids.authRRPID!);
      if (seen) return { ...ids, ...this.replay(seen, opened.requestHash) };
      this.checkDate(wrapper.messageHeader.date, at);
      const checked = await this.checkPI(opened);
      return await this.queue.run(() => this.decideAndAnswer(opened, checked));
    } catch (e) {
      const internal = !(e instanceof SetError);
      const failure = internal ? new SetError("unspecifiedFailure", "internal error") : e;
      const response = await errorMessage(this.p, failure, request, keys ? { signer: keys.signer } : {});
      return {
        ...ids,
        response,
        kind: "error",
        errorCode: failure.code,
        reason: internal ? (e instanceof Error ? e.message : String(e)) : failure.message,
        ...(internal ? { internal } : {}),
      };
    }
  }

  /** Digest 6 rule 3: the header date within the policy's skew. */
  private checkDate(date: Date, at: Date): void {
    const skew = date.getTime() - at.getTime();
    if (skew > this.policy.maxClockSkewMs)
      throw new SetError("messageTooNew", "the AuthReq is dated in the future", "MessageHeader.date");
    if (-skew > this.policy.maxClockSkewMs)
      throw new SetError("messageTooOld", "the AuthReq is too old", "MessageHeader.date");
  }

  /** Open the AuthReq and run the checks that tie it to the merchant that signed it. */
  private async open(
    keys: GatewayBrandKeys,
    header: schema.MessageHeader,
    authReq: schema.AuthReq,
    at: Date,
  ): Promise<Opened> {
    const trust: Trust = { ...this.options.trust, at };
    const { data, pi, piDer, merchant } = await openAuthReq(this.p, keys.decrypter, authReq, trust);
    if (merchant.brand !== keys.brand)
      throw new SetError(
        "invalidCertificate",
        `the merchant's certificate is for brand ${merchant.brand ?? "(none)"}, the AuthReq was sealed to ${keys.brand}`,
        "AuthReq.merchant",
      );
    const merID = merchant.merchantData?.merID;
    if (!merID)
      throw new SetError(
        "invalidCertificate",
        "the merchant's certificate carries no merchantData",
        "merchantData",
      );
    const tags = data.authReqItem.authTags;
    if (tags.authRRTags.merTermIDs.merchantID !== merID)
      throw new PurchaseCheckError(
        "merchantIDMismatch",
        "AuthRRTags.merTermIDs.merchantID is not the merID of the merchant's certificate",
      );
    schema.checkWrapperIds(header, schema.protectedIdsOf(tags.transIDs, tags.authRRTags.rrpid));
    const merchantKex = this.options.merchantKex(keys.brand, merID);
    if (!merchantKex)
      throw new SetError(
        "missingCertificate",
        `no key-exchange certificate on file for merchant ${merID}`,
        "merID",
      );
    const digest = await H(
      this.p,
      new Uint8Array(Buffer.concat([encodeDer(schema.AuthReqData, data), piDer])),
    );
    return {
      keys,
      wrapperHeader: header,
      data,
      pi,
      merchant,
      merID,
      merchantKex,
      requestHash: toHex(digest),
      at,
    };
  }

  /** The same AuthRRPID again: the same request gets the stored answer, other content an Error. */
  private replay(seen: AuthorizationRow, requestHash: string): Omit<AuthReqOutcome, "xid" | "authRRPID"> {
    if (seen.requestHash !== requestHash)
      throw new SetError(
        "unknownRRPID",
        "this AuthRRPID already answered a different AuthReq",
        "AuthRRTags.rrpid",
      );
    return { response: seen.response, kind: "replay", authCode: seen.authCode, reason: "repeated AuthReq" };
  }

  /**
   * Open the PI and check it against the AuthReq. Protocol failures throw; business outcomes come
   * back as a decision the issuer is not asked about. Otherwise the PAN the issuer decides on.
   */
  private async checkPI(o: Opened): Promise<{ decision: AuthDecision } | { pan: string }> {
    const item = o.data.authReqItem;
    const brand = o.keys.brand;
    if (o.pi.type === "authToken")
      return {
        decision: {
          authCode: "authTokenRejected",
          hold: 0,
          reason: "follow-on authorizations are not supported",
        },
      };
    if (o.pi.type === "piUnsigned" && !this.unsignedAllowed(brand))
      return {
        decision: {
          authCode: "cardCertRequired",
          hold: 0,
          reason: `${brand} requires a cardholder certificate`,
        },
      };
    if (!item.checkDigests)
      throw new PurchaseCheckError("hOIDataMismatch", "AuthReqItem carries no CheckDigests for the PI");
    const ctx = {
      gatewayKex: o.keys.decrypter,
      checkDigests: item.checkDigests,
      merchantID: o.merID,
      transIDs: item.authTags.transIDs,
      authReqAmt: item.authReqPayload.authReqAmt,
      understoodExtensions: this.policy.understoodExtensions,
    };
    let opened: OpenedPI;
    let pan: string;
    let cardExpiry: string;
    if (o.pi.type === "piDualSigned") {
      opened = await openPIDualSigned(this.p, o.pi.value, ctx, { ...this.options.trust, at: o.at });
      const cardholder = opened.cardholderCertificate!;
      if (cardholder.brand !== brand)
        throw new PurchaseCheckError(
          "cardholderCertificate",
          `the cardholder certificate is not a ${brand} card`,
        );
      await this.checkBinding(opened.piHead, o);
      const panData = opened.panData!;
      if (!(await accountMatchesCertificate(this.p, panData, cardholder)))
        return {
          decision: {
            authCode: "piAuthMismatch",
            hold: 0,
            reason: "the PAN is not the certificate's account",
          },
        };
      pan = panData.pan;
      cardExpiry = panData.cardExpiry;
    } else {
      opened = await openPIUnsigned(this.p, o.pi.value, ctx);
      await this.checkBinding(opened.piHead, o);
      pan = opened.panToken!.pan;
      cardExpiry = opened.panToken!.cardExpiry;
    }
    if (cardExpired(cardExpiry, o.at))
      return { decision: { authCode: "expiredCard", hold: 0, reason: "the card's expiry date has passed" } };
    return { pan };
  }

  private unsignedAllowed(brand: string): boolean {
    if (this.gatewayKexOf.get(brand)?.cardCertRequired) return false;
    return this.policy.unsignedAllowed.includes(brand);
  }

  /** Hardened profile: the PI names this gateway's key-exchange and this merchant's signature certificates. */
  private async checkBinding(piHead: schema.PIHead, o: Opened): Promise<void> {
    const binding = piHead.profileBinding;
    if (!binding && !this.policy.hardenedRequired.includes(o.keys.brand)) return;
    const gatewayThumb = await thumbOf(this.p, this.gatewayKexOf.get(o.keys.brand)!);
    const merchantThumb = await thumbOf(this.p, o.merchant);
    if (
      !binding ||
      binding.gatewayThumb.digestAlgorithm.algorithm !== schema.Std.sha256 ||
      binding.merchantThumb.digestAlgorithm.algorithm !== schema.Std.sha256 ||
      !bytesEqual(binding.gatewayThumb.thumbprint, gatewayThumb) ||
      !bytesEqual(binding.merchantThumb.thumbprint, merchantThumb)
    )
      throw new PurchaseCheckError(
        "profileBindingMismatch",
        "PIHead does not name this gateway's and merchant's certificates",
      );
  }

  /**
   * Serialized: replay and XID checks, the issuer's decision, AuthRes, and one committed row. The
   * authorization, the account hold and the AuthRes bytes are one all-or-nothing write, on disk
   * before the answer is returned (and before the next decision reads): a gateway killed after
   * this point answers a retry with the stored bytes; one killed before it has decided nothing.
   */
  private async decideAndAnswer(
    o: Opened,
    checked: { decision: AuthDecision } | { pan: string },
  ): Promise<AuthReqOutcome> {
    const store = this.options.store;
    const tags = o.data.authReqItem.authTags;
    const authRRPID = toHex(tags.authRRTags.rrpid);
    const xid = toHex(tags.transIDs.xid);
    const ids = { xid, authRRPID, brand: o.keys.brand, merchantID: o.merID };
    const seen = store.authorization(authRRPID);
    if (seen) return { ...ids, ...this.replay(seen, o.requestHash) };
    const amount = o.data.authReqItem.authReqPayload.authReqAmt;
    let decision: AuthDecision;
    if (store.authorizationsByXid(xid).some((a) => a.authCode === "approved"))
      decision = { authCode: "duplicateAuthorization", hold: 0, reason: "the XID is already authorized" };
    else if ("decision" in checked) decision = checked.decision;
    else {
      const account = store.accountByPan(checked.pan);
      const issuer = decideAuthorization(account, amount, () => this.approvalCode());
      decision = { ...issuer, ...(account ? { cardId: account.cardId } : {}) };
    }
    const authRes = await sealAuthRes(
      this.p,
      o.keys.signer,
      o.merchantKex,
      authResDataFor(tags, amount, decision),
      authResBaggageFor(decision),
    );
    const response = wrapMessage(
      { type: "authorizationResponse", value: authRes },
      {
        rrpid: tags.authRRTags.rrpid,
        lid_C: tags.transIDs.lid_C,
        ...(tags.transIDs.lid_M ? { lid_M: tags.transIDs.lid_M } : {}),
        xid: tags.transIDs.xid,
      },
      { date: this.p.now() },
    );
    await store.recordAuthorization({
      authRRPID,
      xid,
      merchantID: o.merID,
      brand: o.keys.brand,
      amount: amount.amount,
      currency: amount.currency,
      amtExp10: amount.amtExp10,
      authCode: decision.authCode,
      ...(decision.respReason ? { respReason: decision.respReason } : {}),
      ...(decision.approvalCode ? { approvalCode: decision.approvalCode } : {}),
      held: decision.hold,
      ...(decision.cardId ? { cardId: decision.cardId } : {}),
      requestHash: o.requestHash,
      response,
      created: o.at.toISOString(),
    });
    return { ...ids, response, kind: "authRes", authCode: decision.authCode, reason: decision.reason };
  }

  /** Six characters, as AuthValCodes.approvalCode allows. */
  private approvalCode(): string {
    return toHex(this.p.random(3)).toUpperCase();
  }
}
