/**
 * The payment gateway's core (patent steps S44-S51): AuthReq bytes in, AuthRes or SET Error bytes
 * out. Every check of the AuthReq is `receiveAuthReq`'s (protocol): its SetErrors are answered
 * with a SET Error, its refusals (a PAN that is not the certificate's, an expired card, a missing
 * cardholder certificate, another merchant's PI) with an AuthRes and that AuthCode. The gateway
 * adds what only its store knows (a second authorization of one merchant's XID beyond
 * InstallRecurData) and
 * the issuer's answer. No socket here: the fastify shell calls `handleAuthReq`.
 */
import {
  type CryptoProvider,
  type ErrorCode,
  errorMessage,
  isDuplicateAuthorization,
  isErrorMessage,
  parseSetCertificate,
  type ReceivedAuthReq,
  readMessage,
  receiveAuthReq,
  type SetCertificate,
  SetError,
  type schema,
  sealAuthRes,
  type Trust,
  toHex,
  wrapMessage,
} from "@setlab/protocol";
import { decideAuthorization } from "../issuer/issuerSimulator";
import type { AuthorizationRow, GatewayStore } from "../store/gatewayStore";
import { type AuthorizationPolicy, defaultPolicy } from "./authorizationPolicy";
import { type AuthDecision, authResBaggageFor, authResDataFor } from "./authResData";
import { handleE1AuthReq } from "./embodiment1Authorization";
import { type EnrolledMerchants, enrolledFor } from "./enrolledMerchants";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { SerialQueue } from "./serialQueue";

export interface GatewayOptions {
  readonly provider: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  /** Pinned root and CA certificates; the time of checking is taken per request. */
  readonly trust: Omit<Trust, "at">;
  readonly store: GatewayStore;
  /** The merIDs the acquirer serves, per brand; any other merchant is refused (invalidCertificate). */
  readonly enrolled: EnrolledMerchants;
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

/** The XID and RRPID a header states, for the log of a request refused before its body was read. */
function idsOfHeader(header: schema.MessageHeader): Pick<AuthReqOutcome, "xid" | "authRRPID"> {
  const xid = header.messageIDs?.xid;
  return { ...(xid ? { xid: toHex(xid) } : {}), ...(header.rrpid ? { authRRPID: toHex(header.rrpid) } : {}) };
}

/** An AuthReq receiveAuthReq accepted as new, with the keys of its brand and the time it was taken. */
type Taken = Extract<ReceivedAuthReq, { repeat: false }> & {
  readonly keys: GatewayBrandKeys;
  readonly at: Date;
};

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
      const read = readMessage(request);
      const message = read.wrapper.message;
      // Until the AuthReq is opened, the log names it by its header's routing copies.
      ids = idsOfHeader(read.wrapper.messageHeader);
      // The key the envelope names tells the brand; anything else is receiveAuthReq's to judge.
      if (message.type === "authorizationRequest")
        keys = keysForEnvelope(message.value.authReqEnvelope, this.options.keys);
      const brandKeys = keys ?? this.options.keys[0];
      const store = this.options.store;
      const received = await receiveAuthReq(this.p, read, {
        brand: brandKeys.brand,
        gatewayKex: brandKeys.decrypter,
        trust: { ...this.options.trust, at },
        now: at,
        maxClockSkewMs: this.policy.maxClockSkewMs,
        enrolledMerIDs: enrolledFor(this.options.enrolled, brandKeys.brand),
        cardCertRequired: !this.unsignedAllowed(brandKeys.brand),
        hardenedRequired: this.policy.hardenedRequired.includes(brandKeys.brand),
        understoodExtensions: this.policy.understoodExtensions,
        answered: { fingerprintOf: (rrpid) => store.authorization(toHex(rrpid))?.requestHash },
      });
      const tags = received.data.authReqItem.authTags;
      ids = {
        xid: toHex(tags.transIDs.xid),
        authRRPID: toHex(tags.authRRTags.rrpid),
        brand: brandKeys.brand,
        merchantID: received.merID,
      };
      // A repeat of an answered AuthReq gets the stored AuthRes whatever its age: a merchant that
      // was down re-sends the same bytes after a restart, and nothing new is decided.
      if (received.repeat) {
        const seen = store.authorization(ids.authRRPID!);
        if (!seen) throw new SetError("unknownRRPID", "the AuthRRPID's record is gone", "AuthRRTags.rrpid");
        return { ...ids, ...this.replay(seen, received.fingerprint) };
      }
      const taken: Taken = { ...received, keys: brandKeys, at };
      return await this.queue.run(() => this.decideAndAnswer(taken));
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

  /** The patent's first embodiment: E1AuthReq in, E1AuthRes or a refusal out. */
  handleE1AuthReq(bytes: Uint8Array): Promise<AuthReqOutcome> {
    return handleE1AuthReq(
      {
        p: this.p,
        keys: this.options.keys,
        trust: this.options.trust,
        store: this.options.store,
        enrolled: this.options.enrolled,
        maxClockSkewMs: this.policy.maxClockSkewMs,
        queue: this.queue,
        approvalCode: () => this.approvalCode(),
      },
      bytes,
    );
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

  /** The brand's policy: its gateway certificate's cardCertRequired, else the configured list. */
  private unsignedAllowed(brand: string): boolean {
    if (this.gatewayKexOf.get(brand)?.cardCertRequired) return false;
    return this.policy.unsignedAllowed.includes(brand);
  }

  /**
   * Serialized: the duplicate check, the issuer's decision, AuthRes, and one committed row. The
   * authorization, the account hold and the AuthRes bytes are one all-or-nothing write, on disk
   * before the answer is returned (and before the next decision reads): a gateway killed after
   * this point answers a retry with the stored bytes; one killed before it has decided nothing.
   * A twin of this AuthReq that was decided while it waited in the queue gets that answer.
   */
  private async decideAndAnswer(o: Taken): Promise<AuthReqOutcome> {
    const store = this.options.store;
    const tags = o.data.authReqItem.authTags;
    const authRRPID = toHex(tags.authRRTags.rrpid);
    const xid = toHex(tags.transIDs.xid);
    const ids = { xid, authRRPID, brand: o.keys.brand, merchantID: o.merID };
    const seen = store.authorization(authRRPID);
    if (seen) return { ...ids, ...this.replay(seen, o.fingerprint) };
    const amount = o.data.authReqItem.authReqPayload.authReqAmt;
    const outcome = o.outcome;
    // An XID is the merchant's transaction id, so it is counted per merchant: another merchant's
    // authorizations under the same XID (XIDs are public in PInitRes) neither count against this
    // one nor are blocked by it; each merchant's own are judged against its buyer's PI.
    const approvedBefore = store
      .authorizationsByXid(xid)
      .filter((a) => a.authCode === "approved" && a.merchantID === o.merID).length;
    let decision: AuthDecision;
    if (
      approvedBefore > 0 &&
      isDuplicateAuthorization(outcome.piHead?.installRecurData, approvedBefore, o.at)
    )
      decision = { authCode: "duplicateAuthorization", hold: 0, reason: "the XID is already authorized" };
    else if (outcome.kind === "refused")
      decision = { authCode: outcome.authCode, hold: 0, reason: outcome.reason };
    else {
      const account = store.accountByPan(outcome.pan);
      const issuer = decideAuthorization(account, amount, () => this.approvalCode());
      decision = { ...issuer, ...(account ? { cardId: account.cardId } : {}) };
    }
    // AuthRes goes to the key-exchange certificate the AuthReq carried, validated by receiveAuthReq.
    const authRes = await sealAuthRes(
      this.p,
      o.keys.signer,
      o.merchantKex.der,
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
      requestHash: o.fingerprint,
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
