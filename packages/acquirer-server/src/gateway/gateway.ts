/**
 * The payment gateway's core (patent steps S44-S51): AuthReq bytes in, AuthRes or SET Error bytes
 * out, one phase a file. Receive (`authReqReceiver` + protocol's `receiveAuthReq`, which makes
 * every check: its SetErrors are answered with a SET Error, its refusals such as a PAN that is not
 * the certificate's carry their AuthCode into the decision), a repeat answered from the store
 * (`replayOf`), then serialized: decide (`decideAuthReq`: duplicates beyond InstallRecurData, the
 * refusals, the issuer), answer (`authResMessage`), record (`authorizationRow`). No socket here:
 * the fastify shell calls `handleAuthReq`.
 */
import {
  type CryptoProvider,
  isErrorMessage,
  parseSetCertificate,
  type ReadMessage,
  readMessage,
  receiveAuthReq,
  type SetCertificate,
  type Trust,
  toHex,
} from "@setlab/protocol";
import type { GatewayStore } from "../store/gatewayStore";
import { approvalsOfMerchant, decideAuthReq } from "./authorizationDecision";
import { type AuthorizationPolicy, defaultPolicy } from "./authorizationPolicy";
import { authorizationRow } from "./authorizationRecord";
import { type AuthReqIds, type AuthReqOutcome, idsOfAuthTags, idsOfHeader } from "./authReqOutcome";
import { authReqReceiver, type ReceiverSettings } from "./authReqReceiver";
import { authResDataFor } from "./authResData";
import { authResMessage } from "./authResMessage";
import { type AuthRevReqOutcome, handleAuthRevReq } from "./authReversal";
import { authTokenFor } from "./authTokenIssue";
import { type BatchAdminOutcome, handleBatchAdminReq } from "./batchAdmin";
import { batchLedgerView, saleBatch, salePlacement } from "./batchPlacement";
import { type CapRevOrCredOutcome, handleCapRevOrCred } from "./capRevOrCred";
import { type CapReqOutcome, handleCapReq } from "./capture";
import { handleE1AuthReq } from "./embodiment1Authorization";
import type { EnrolledMerchants } from "./enrolledMerchants";
import { errorAnswer } from "./errorAnswer";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { handlePCertReq, type PCertReqOutcome } from "./pCertificates";
import { replayOf } from "./replay";
import { isSale, saleRecord } from "./sale";
import { SerialQueue } from "./serialQueue";
import type { TakenAuthReq } from "./takenAuthReq";

export type { AuthReqOutcome } from "./authReqOutcome";
export type { AuthRevReqOutcome } from "./authReversal";
export type { BatchAdminOutcome } from "./batchAdmin";
export type { CapRevOrCredOutcome } from "./capRevOrCred";
export type { CapReqOutcome } from "./capture";
export type { PCertReqOutcome } from "./pCertificates";

/** What the gateway did with one request on its SET route, by message. */
export type GatewayOutcome =
  | ({ readonly message: "AuthReq" } & AuthReqOutcome)
  | ({ readonly message: "CapReq" } & CapReqOutcome)
  | ({ readonly message: "AuthRevReq" } & AuthRevReqOutcome)
  | ({ readonly message: "BatchAdminReq" } & BatchAdminOutcome)
  | ({ readonly message: CapRevOrCredName } & CapRevOrCredOutcome)
  | ({ readonly message: "PCertReq" } & PCertReqOutcome);

/** The capture reversal, credit and credit reversal requests, by SET name and wrapper type. */
export type CapRevOrCredName = "CapRevReq" | "CredReq" | "CredRevReq";
const capRevOrCredOf = {
  captureReversalRequest: ["CapRevReq", "captureReversal"],
  creditRequest: ["CredReq", "credit"],
  creditReversalRequest: ["CredRevReq", "creditReversal"],
} as const;

export interface GatewayOptions {
  readonly provider: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  /** Pinned root and CA certificates; the time of checking is taken per request. */
  readonly trust: Omit<Trust, "at">;
  readonly store: GatewayStore;
  /** The merIDs the acquirer serves, per brand; any other merchant is refused (invalidCertificate). */
  readonly enrolled: EnrolledMerchants;
  readonly policy?: Partial<AuthorizationPolicy>;
  /**
   * How far the clock of AuthToken schedules runs ahead of `provider`'s (milliseconds; default 0).
   * Only a lab's fault plan moves it (`scheduleAdvanceSeconds`, docs/faults.md).
   */
  readonly scheduleAdvanceMs?: () => number;
}

export class Gateway {
  private readonly p: CryptoProvider;
  private readonly store: GatewayStore;
  private readonly settings: ReceiverSettings;
  private readonly queue = new SerialQueue();
  private readonly gatewayKexOf = new Map<string, SetCertificate>();

  constructor(private readonly options: GatewayOptions) {
    this.p = options.provider;
    this.store = options.store;
    this.settings = {
      trust: options.trust,
      enrolled: options.enrolled,
      policy: { ...defaultPolicy, ...options.policy },
      answeredFingerprint: (authRRPID) => this.store.authorization(authRRPID)?.requestHash,
      authTokenSpent: (authRRPID) => this.store.authTokenSpent(authRRPID),
    };
    for (const k of options.keys)
      this.gatewayKexOf.set(k.brand, parseSetCertificate(k.decrypter.certificate));
  }

  /**
   * Any request on the SET route: a CapReq goes to capture (./capture.ts), an AuthRevReq to
   * authorization reversal (./authReversal.ts), a CapRevReq, CredReq or CredRevReq to
   * ./capRevOrCred.ts, a BatchAdminReq to batch administration (./batchAdmin.ts), a PCertReq to
   * the certificate service (./pCertificates.ts), anything else is taken
   * as an AuthReq (whose receive answers what is neither). The message is read once.
   */
  async handle(bytes: Uint8Array): Promise<GatewayOutcome> {
    const request = new Uint8Array(bytes);
    let read: ReadMessage | undefined;
    try {
      read = readMessage(request);
    } catch {
      // handleAuthReq reads it again and answers the failure.
    }
    const type = read?.wrapper.message.type;
    if (
      read &&
      (type === "captureReversalRequest" || type === "creditRequest" || type === "creditReversalRequest")
    ) {
      const [message, kind] = capRevOrCredOf[type];
      return { message, ...(await handleCapRevOrCred(this.lifecycleDeps(), kind, read)) };
    }
    if (read?.wrapper.message.type === "captureRequest")
      return {
        message: "CapReq",
        ...(await handleCapReq(
          {
            p: this.p,
            keys: this.options.keys,
            store: this.store,
            settings: this.settings,
            queue: this.queue,
          },
          read,
        )),
      };
    if (read?.wrapper.message.type === "authReversalRequest")
      return { message: "AuthRevReq", ...(await handleAuthRevReq(this.lifecycleDeps(), read)) };
    if (read?.wrapper.message.type === "batchAdministrationRequest")
      return { message: "BatchAdminReq", ...(await handleBatchAdminReq(this.lifecycleDeps(), read)) };
    if (read?.wrapper.message.type === "pCertificateRequest")
      return {
        message: "PCertReq",
        ...(await handlePCertReq({ p: this.p, keys: this.options.keys, settings: this.settings }, read)),
      };
    return { message: "AuthReq", ...(await this.handleAuthReq(request, read)) };
  }

  /** What the lifecycle handlers after authorization share with it: keys, ledger, serialized decisions. */
  private lifecycleDeps() {
    return {
      p: this.p,
      keys: this.options.keys,
      store: this.store,
      settings: this.settings,
      queue: this.queue,
    };
  }

  async handleAuthReq(bytes: Uint8Array, alreadyRead?: ReadMessage): Promise<AuthReqOutcome> {
    const request = new Uint8Array(bytes);
    // SET never answers an Error with an Error.
    if (isErrorMessage(request))
      return { response: new Uint8Array(0), kind: "dropped", reason: "Error message" };
    let keys: GatewayBrandKeys | undefined;
    let ids: AuthReqIds = {};
    try {
      const at = this.p.now();
      const scheduleAt = new Date(at.getTime() + (this.options.scheduleAdvanceMs?.() ?? 0));
      const read = alreadyRead ?? readMessage(request);
      const message = read.wrapper.message;
      // Until the AuthReq is opened, the log names it by its header's routing copies.
      ids = idsOfHeader(read.wrapper.messageHeader);
      // The key the envelope names tells the brand; anything else is receiveAuthReq's to judge.
      if (message.type === "authorizationRequest")
        keys = keysForEnvelope(message.value.authReqEnvelope, this.options.keys);
      const brandKeys = keys ?? this.options.keys[0];
      const received = await receiveAuthReq(
        this.p,
        read,
        authReqReceiver(brandKeys, this.gatewayKexOf.get(brandKeys.brand), this.settings, at, scheduleAt),
      );
      ids = idsOfAuthTags(received.data.authReqItem.authTags, brandKeys.brand, received.merID);
      if (received.repeat)
        return { ...ids, ...replayOf(this.store.authorization(ids.authRRPID!), received.fingerprint) };
      const taken: TakenAuthReq = { ...received, keys: brandKeys, at, scheduleAt };
      return await this.queue.run(() => this.decideAndAnswer(taken));
    } catch (e) {
      return await errorAnswer(this.p, e, request, keys, ids);
    }
  }

  /** The patent's first embodiment: E1AuthReq in, E1AuthRes or a refusal out. */
  handleE1AuthReq(bytes: Uint8Array): Promise<AuthReqOutcome> {
    return handleE1AuthReq(
      {
        p: this.p,
        keys: this.options.keys,
        trust: this.options.trust,
        store: this.store,
        enrolled: this.options.enrolled,
        maxClockSkewMs: this.settings.policy.maxClockSkewMs,
        queue: this.queue,
        // Six characters, as AuthValCodes.approvalCode allows.
        approvalCode: () => toHex(this.p.random(3)).toUpperCase(),
        lifetimes: this.settings.policy,
      },
      bytes,
    );
  }

  /**
   * Serialized: the duplicate check, the issuer's decision, AuthRes, and one committed row. The
   * authorization, the account hold and the AuthRes bytes are one all-or-nothing write, on disk
   * before the answer is returned (and before the next decision reads): a gateway killed after
   * this point answers a retry with the stored bytes; one killed before it has decided nothing.
   * A twin of this AuthReq that was decided while it waited in the queue gets that answer.
   */
  private async decideAndAnswer(taken: TakenAuthReq): Promise<AuthReqOutcome> {
    const ids = idsOfAuthTags(taken.data.authReqItem.authTags, taken.keys.brand, taken.merID);
    const seen = this.store.authorization(ids.authRRPID);
    if (seen) return { ...ids, ...replayOf(seen, taken.fingerprint) };
    const decision = decideAuthReq({
      outcome: taken.outcome,
      amount: taken.data.authReqItem.authReqPayload.authReqAmt,
      at: taken.at,
      // An AuthToken's authorization is counted by its token, not against the XID's approvals.
      approvedBefore:
        taken.pi.type === "authToken"
          ? 0
          : approvalsOfMerchant(this.store.authorizationsByXid(ids.xid), taken.merID),
      accountOf: (pan) => this.store.accountByPan(pan, taken.at),
      // Six characters, as AuthValCodes.approvalCode allows.
      approvalCode: () => toHex(this.p.random(3)).toUpperCase(),
      subsequent: {
        merID: taken.merID,
        xid: ids.xid,
        authorization: (authRRPID) => this.store.authorization(authRRPID),
        authTokenSpent: (authRRPID) => this.store.authTokenSpent(authRRPID),
        accountOfCard: (cardId) => this.store.account(cardId, taken.at),
      },
    });
    const sold = isSale(taken.data, decision)
      ? saleBatch(taken.merID, batchLedgerView(this.store), taken.at)
      : undefined;
    const data = taken.data.authReqItem;
    const authAmt = authResDataFor(data.authTags, data.authReqPayload.authReqAmt, decision).authResPayload
      .authHeader.authAmt;
    const response = await authResMessage(
      this.p,
      taken.keys,
      taken.merchantKex.der,
      taken.data,
      taken.merID,
      decision,
      await authTokenFor(this.p, taken.keys, taken, decision, authAmt),
      sold,
    );
    const row = authorizationRow(taken, decision, response, this.settings.policy);
    if (sold) {
      const sale = saleRecord(row);
      await this.store.recordAuthorization(
        sale.row,
        sale.capture,
        salePlacement(taken.merID, taken.keys.brand, sold, sale.capture),
      );
    } else await this.store.recordAuthorization(row);
    return { ...ids, response, kind: "authRes", authCode: decision.authCode, reason: decision.reason };
  }
}
