/**
 * Test-only: a small but real gateway as a GatewayClient, for core tests without sockets. It opens
 * the AuthReq with the gateway's key (openAuthReq), opens and checks the cardholder's PI
 * (openPIDualSigned/openPIUnsigned, every gateway check of digest 6), and seals a real AuthRes.
 * `mode` makes it decline, fail or misbehave so each merchant check of the AuthRes can fire.
 * Approvals carry a real CapToken; a CapReq is judged by `receiveCapReq` and answered with a real
 * CapRes (one capture per authorization; `capCode` forces the CapCode of the next answers; a
 * repeated CapReq gets the same answer). Captures go into numbered batches, which a BatchAdminReq
 * (`receiveBatchAdminReq`) closes or queries, answered with real totals. An AuthRevReq is judged
 * by `receiveAuthRevReq` against the authorizations it approved and answered with a real
 * AuthRevRes (a captured one alreadyCaptured; `authRevCode` forces the code). An approval carries
 * an AuthToken when the purchase allows later authorizations; an AuthReq whose PI is an AuthToken
 * is judged by `judgeAuthToken` (a token spent once). Capture reversals, credits and credit
 * reversals are answered by `credits`.
 */
import { createHash } from "node:crypto";
import {
  type CryptoProvider,
  encodeDer,
  errorMessage,
  firstAuthTokenTerms,
  judgeAuthToken,
  nextAuthTokenTerms,
  type OpenedAuthReq,
  type OpenedPI,
  openAuthReq,
  openPIDualSigned,
  openPIUnsigned,
  receiveAuthRevReq,
  receiveBatchAdminReq,
  receiveCapReq,
  SetError,
  schema,
  sealAuthRes,
  sealAuthRevRes,
  sealAuthToken,
  sealBatchAdminRes,
  sealCapRes,
  sealCapToken,
  toHex,
  wrapMessage,
} from "@setlab/protocol";
import { defaultMerchantData, type TestPki } from "@setlab/protocol/testing";
import { type GatewayClient, GatewayUnreachableError } from "../core/gatewayClient";
import { CapRevOrCredFunction, sequenceOf, type TestBatch } from "./capRevOrCredFunction";

export type GatewayMode =
  | "approve"
  | "decline"
  | "down"
  | "error"
  | "wrongRRPID"
  | "wrongXID"
  | "overAmount"
  | "partial"
  | "approveNothing"
  | "garbage";

export class GatewayFunction implements GatewayClient {
  mode: GatewayMode = "approve";
  readonly received: { authReq: OpenedAuthReq; pi?: OpenedPI; der: Uint8Array }[] = [];
  /** The AuthTokens spent, by the authorization that issued them (hex AuthRRPID). */
  readonly spentAuthTokens = new Set<string>();
  calls = 0;
  /** When set, every CapResItem carries this CapCode (and CapAmt 0 unless success). */
  capCode?: schema.CapCode;
  readonly captured = new Set<string>();
  /** CapReqs and BatchAdminReqs answered, by RRPID (hex): their fingerprint and answer. */
  readonly answered = new Map<string, { fingerprint: string; response: Uint8Array }>();
  /**
   * Batches, numbered from 1: the items (JPY amounts) captured into each, the capture reversals,
   * credits and credit reversals booked into it, and whether it is closed.
   */
  readonly batches: TestBatch[] = [];
  /** Capture reversals, credits and credit reversals (./capRevOrCredFunction.ts). */
  readonly credits: CapRevOrCredFunction;
  /** When set, every AuthRevRes carries this AuthRevCode. */
  authRevCode?: schema.AuthRevCode;
  /** The approvals, by AuthRRPID (hex): the AuthReq's fingerprint and what each stands at (minor units). */
  readonly approvals = new Map<string, { requestHash: string; authorized: bigint; currency: number }>();

  constructor(
    private readonly p: CryptoProvider,
    private readonly pki: TestPki,
  ) {
    this.credits = new CapRevOrCredFunction(p, pki, this.batches);
  }

  async send(_gatewayId: string, message: Uint8Array): Promise<Uint8Array> {
    this.calls++;
    const { p, pki } = this;
    if (this.mode === "down") throw new GatewayUnreachableError("connection refused");
    if (this.mode === "garbage") return Uint8Array.of(1, 2, 3);
    if (this.mode === "error")
      return errorMessage(p, new SetError("signatureFailure", "refused"), message, { date: p.now() });
    const wrapper = schema.decodeMessage(message);
    if (wrapper.message.type === "captureRequest") return this.capture(message);
    if (wrapper.message.type === "batchAdministrationRequest") return this.batchAdmin(message);
    const credit = CapRevOrCredFunction.kindOf(wrapper.message.type);
    if (credit) return this.credits.answer(credit, message);
    if (wrapper.message.type === "authReversalRequest") return this.reverse(message);
    if (wrapper.message.type !== "authorizationRequest") throw new Error("not an AuthReq");
    const trust = { pinnedRoot: pki.root.certificate, at: p.now() };
    const gatewayKex = { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey };
    const authReq = await openAuthReq(p, gatewayKex, wrapper.message.value, trust);
    const item = authReq.data.authReqItem;
    const ctx = {
      gatewayKex,
      checkDigests: item.checkDigests!,
      merchantID: authReq.merchant.merchantData!.merID,
      transIDs: item.authTags.transIDs,
      authReqAmt: item.authReqPayload.authReqAmt,
    };
    const subsequent =
      authReq.pi.type === "authToken"
        ? await judgeAuthToken(p, authReq, authReq.pi.value, {
            authTokenKeys: this.capTokenKeys(),
            authTokenSpent: (id) => this.spentAuthTokens.has(id),
            now: p.now(),
          })
        : undefined;
    const pi =
      authReq.pi.type === "piDualSigned"
        ? await openPIDualSigned(p, authReq.pi.value, ctx, trust)
        : authReq.pi.type === "piUnsigned"
          ? await openPIUnsigned(p, authReq.pi.value, ctx)
          : undefined;
    this.received.push({ authReq, ...(pi ? { pi } : {}), der: message });

    const asked = item.authReqPayload.authReqAmt;
    const authTags: schema.AuthTags = {
      ...item.authTags,
      authRRTags: {
        ...item.authTags.authRRTags,
        ...(this.mode === "wrongRRPID" ? { rrpid: new Uint8Array(20).fill(9) } : {}),
      },
      transIDs: {
        ...item.authTags.transIDs,
        ...(this.mode === "wrongXID" ? { xid: new Uint8Array(20).fill(8) } : {}),
      },
    };
    const base: schema.AuthResData = {
      authTags,
      authResPayload: {
        authHeader: {
          authAmt:
            this.mode === "overAmount"
              ? { ...asked, amount: asked.amount + 1 }
              : this.mode === "partial"
                ? { ...asked, amount: Math.floor(asked.amount / 2) }
                : this.mode === "approveNothing"
                  ? { ...asked, amount: 0 }
                  : asked,
          authCode:
            subsequent?.kind === "refused"
              ? subsequent.authCode
              : this.mode === "decline"
                ? "declined"
                : "approved",
          responseData: { authValCodes: { approvalCode: "A1B2C3" } },
        },
      },
    };
    const approved = base.authResPayload.authHeader.authCode === "approved";
    const authAmt = base.authResPayload.authHeader.authAmt;
    if (approved && subsequent?.kind === "subsequent")
      this.spentAuthTokens.add(subsequent.opaque.authRecordID);
    const rrpidHex = toHex(item.authTags.authRRTags.rrpid);
    const next = !approved
      ? undefined
      : subsequent?.kind === "subsequent"
        ? nextAuthTokenTerms(subsequent.token, subsequent.terms, authAmt, p.now())
        : pi
          ? firstAuthTokenTerms({
              transIDs: item.authTags.transIDs,
              purchAmt: pi.piHead.inputs.purchAmt,
              merchantID: authReq.merID,
              ...(pi.piHead.installRecurData ? { terms: pi.piHead.installRecurData } : {}),
              subsequentAuthInd: item.authReqPayload.subsequentAuthInd,
              authAmt,
              at: p.now(),
            })
          : undefined;
    const authToken = next
      ? await sealAuthToken(p, this.capTokenKeys(), next, {
          authRecordID: rrpidHex,
          firstAuthRecordID:
            subsequent?.kind === "subsequent" ? subsequent.opaque.firstAuthRecordID : rrpidHex,
        })
      : undefined;
    if (approved)
      this.approvals.set(toHex(item.authTags.authRRTags.rrpid), {
        requestHash: createHash("sha256")
          .update(encodeDer(schema.AuthReqData, authReq.data))
          .update(wrapper.message.value.pi)
          .digest("hex"),
        // Yen in these tests: the amount is the minor units.
        authorized: BigInt(base.authResPayload.authHeader.authAmt.amount),
        currency: base.authResPayload.authHeader.authAmt.currency,
      });
    // A sale (CaptureNow) is captured with its authorization, unless `capCode` says otherwise.
    const sale = authReq.data.captureNow && approved;
    const data: schema.AuthResData = sale
      ? {
          ...base,
          authResPayload: {
            ...base.authResPayload,
            capResPayload: {
              capCode: this.capCode ?? "success",
              capAmt: base.authResPayload.authHeader.authAmt,
            },
          },
        }
      : base;
    const authRes = await sealAuthRes(
      p,
      {
        certificate: pki.gatewaySig.certificate,
        privateKey: pki.gatewaySig.privateKey,
        chain: pki.intermediatesOf("gatewaySig"),
      },
      pki.merchantKex.certificate,
      data,
      approved
        ? {
            capToken: await sealCapToken(
              p,
              this.capTokenKeys(),
              { authRRPID: item.authTags.authRRTags.rrpid, authAmt: data.authResPayload.authHeader.authAmt },
              {
                xid: item.authTags.transIDs.xid,
                merchantID: authReq.merID,
                authRecordID: toHex(item.authTags.authRRTags.rrpid),
              },
            ),
            ...(authToken ? { authToken } : {}),
          }
        : {},
    );
    // A sale's capture is on the ledger like any other: its CapToken names it in a later credit.
    if (sale && data.authResPayload.capResPayload?.capCode === "success")
      this.credits.captured(rrpidHex, data.authResPayload.authHeader.authAmt);
    return wrapMessage(
      { type: "authorizationResponse", value: authRes },
      {
        rrpid: authTags.authRRTags.rrpid,
        lid_C: authTags.transIDs.lid_C,
        lid_M: authTags.transIDs.lid_M,
        xid: authTags.transIDs.xid,
      },
      { date: p.now() },
    );
  }

  private capTokenKeys() {
    const { pki } = this;
    return {
      signer: { certificate: pki.gatewaySig.certificate, privateKey: pki.gatewaySig.privateKey },
      decrypter: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
    };
  }

  private gatewaySigner() {
    const { pki } = this;
    return {
      certificate: pki.gatewaySig.certificate,
      privateKey: pki.gatewaySig.privateKey,
      chain: pki.intermediatesOf("gatewaySig"),
    };
  }

  private async reverse(message: Uint8Array): Promise<Uint8Array> {
    const { p, pki } = this;
    const received = await receiveAuthRevReq(p, message, {
      brand: "Visa",
      gatewayKex: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
      capTokenKeys: this.capTokenKeys(),
      trust: { pinnedRoot: pki.root.certificate, at: p.now() },
      now: p.now(),
      enrolledMerIDs: [defaultMerchantData.merID],
      authorizationOf: (authRRPID) => this.approvals.get(toHex(authRRPID)),
    });
    if (received.repeat) throw new Error("no store of answers here");
    const { judged, data } = received;
    const key = toHex(judged.authRRPID);
    const authRevCode: schema.AuthRevCode =
      this.authRevCode ??
      (judged.kind === "refused"
        ? judged.authRevCode
        : this.captured.has(key)
          ? "alreadyCaptured"
          : "approved");
    const reduced = authRevCode === "approved" && judged.kind === "reverse" && judged.newAmount > 0n;
    if (authRevCode === "approved" && judged.kind === "reverse")
      this.approvals.set(key, { ...this.approvals.get(key)!, authorized: judged.newAmount });
    const tags = data.authReqData.authReqItem.authTags;
    const authRevRes = await sealAuthRevRes(
      p,
      this.gatewaySigner(),
      received.merchantKex.der,
      {
        authRevCode,
        authRevTags: data.authRevTags,
        authNewAmt: data.authNewAmt,
        ...(reduced
          ? {
              authResPayloadNew: {
                ...data.authResPayload,
                authHeader: { ...data.authResPayload.authHeader, authAmt: data.authNewAmt },
              },
            }
          : {}),
      },
      reduced
        ? {
            capTokenNew: await sealCapToken(
              p,
              this.capTokenKeys(),
              { authRRPID: tags.authRRTags.rrpid, authAmt: data.authNewAmt },
              { xid: tags.transIDs.xid, merchantID: received.merID, authRecordID: key },
            ),
          }
        : {},
    );
    return wrapMessage(
      { type: "authReversalResponse", value: authRevRes },
      { rrpid: data.authRevTags.authRevRRTags.rrpid },
      { date: p.now() },
    );
  }

  private async capture(message: Uint8Array): Promise<Uint8Array> {
    const { p, pki } = this;
    const received = await receiveCapReq(p, message, {
      brand: "Visa",
      gatewayKex: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
      capTokenKeys: this.capTokenKeys(),
      trust: { pinnedRoot: pki.root.certificate, at: p.now() },
      now: p.now(),
      enrolledMerIDs: [defaultMerchantData.merID],
      maxItems: 256,
      answered: { fingerprintOf: (id) => this.answered.get(toHex(id))?.fingerprint },
    });
    const rrpid = toHex(received.data.capRRTags.rrpid);
    if (received.repeat) return this.answered.get(rrpid)!.response;
    const items = received.items.map((judged) => {
      const key = toHex(judged.item.authRRPID);
      const capCode: schema.CapCode =
        this.capCode ??
        (judged.kind === "refused"
          ? judged.capCode
          : this.captured.has(key)
            ? "duplicateRequest"
            : "success");
      const asked = judged.item.capPayload.capReqAmt;
      const named = judged.item.capPayload.saleDetail?.batchID;
      if (this.batches.length === 0 || this.batches.at(-1)!.closed)
        this.batches.push({ items: [], capRevOrCreds: [], closed: false });
      const batchID = named ?? this.batches.length;
      const batch = this.batches[batchID - 1];
      const code: schema.CapCode =
        capCode !== "success" ? capCode : !batch ? "batchUnknown" : batch.closed ? "batchClosed" : capCode;
      if (code !== "success")
        return {
          transIDs: judged.item.transIDs,
          authRRPID: judged.item.authRRPID,
          capResPayload: { capCode: code, capAmt: { ...asked, amount: 0 } },
        };
      this.captured.add(key);
      this.credits.captured(key, asked);
      batch.items.push(asked.amount);
      return {
        transIDs: judged.item.transIDs,
        authRRPID: judged.item.authRRPID,
        capResPayload: { capCode, capAmt: asked, batchID, batchSequenceNum: sequenceOf(batch) },
      };
    });
    const capRes = await sealCapRes(
      p,
      {
        certificate: pki.gatewaySig.certificate,
        privateKey: pki.gatewaySig.privateKey,
        chain: pki.intermediatesOf("gatewaySig"),
      },
      received.merchantKex.der,
      { capRRTags: received.data.capRRTags, capResItemSeq: items },
    );
    const response = wrapMessage(
      { type: "captureResponse", value: capRes },
      { rrpid: received.data.capRRTags.rrpid },
      {
        date: p.now(),
      },
    );
    this.answered.set(rrpid, { fingerprint: received.fingerprint, response });
    return response;
  }

  private async batchAdmin(message: Uint8Array): Promise<Uint8Array> {
    const { p, pki } = this;
    const received = await receiveBatchAdminReq(p, message, {
      brand: "Visa",
      gatewayKex: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
      trust: { pinnedRoot: pki.root.certificate, at: p.now() },
      now: p.now(),
      enrolledMerIDs: [defaultMerchantData.merID],
      answered: { fingerprintOf: (id) => this.answered.get(toHex(id))?.fingerprint },
    });
    const rrpid = toHex(received.data.batchAdminRRTags.rrpid);
    if (received.repeat) return this.answered.get(rrpid)!.response;
    const { batchID: asked, batchOperation } = received.data;
    const open = this.batches.length > 0 && !this.batches.at(-1)!.closed ? this.batches.length : 0;
    const batchID = asked || open;
    const batch = batchID > 0 ? this.batches[batchID - 1] : undefined;
    if (batch && batchOperation === "close") batch.closed = true;
    const when = new Date(Math.floor(p.now().getTime() / 1000) * 1000);
    const total = batch?.items.reduce((a, b) => a + b, 0) ?? 0;
    const data: schema.BatchAdminResData = {
      batchAdminRRTags: received.data.batchAdminRRTags,
      batchID,
      batchAdminCode: batch ? "success" : "unknownBatch",
      ...(batch
        ? {
            batchStatus: {
              batchID,
              openDateTime: when,
              ...(batch.closed ? { closedDateTime: when } : {}),
              transactionCount: batch.items.length,
            },
            ...(batch.items.length > 0
              ? {
                  batchTotals: [
                    {
                      brandID: "Visa",
                      salesCount: batch.items.length,
                      salesAmount: { currency: 392, amount: total, amtExp10: 0 },
                      creditCount: 0,
                      creditAmount: { currency: 392, amount: 0, amtExp10: 0 },
                    },
                  ],
                }
              : {}),
          }
        : {}),
    };
    const sealed = await sealBatchAdminRes(
      p,
      {
        certificate: pki.gatewaySig.certificate,
        privateKey: pki.gatewaySig.privateKey,
        chain: pki.intermediatesOf("gatewaySig"),
      },
      received.merchantKex.der,
      data,
    );
    const response = wrapMessage(
      { type: "batchAdministrationResponse", value: sealed },
      { rrpid: received.data.batchAdminRRTags.rrpid },
      { date: p.now() },
    );
    this.answered.set(rrpid, { fingerprint: received.fingerprint, response });
    return response;
  }
}
