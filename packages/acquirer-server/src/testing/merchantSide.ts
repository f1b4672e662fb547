/**
 * Test-only: the lab merchant's side of a gateway test after its AuthReq: an approved authorization
 * as the merchant keeps it, the CapReq that captures it, the CapRevReq, CredReq or CredRevReq that
 * acts on the capture, the BatchAdminReq, and the merchant's keys to open the gateway's answers
 * (an Error answer thrown with its code, so a test reads what went wrong).
 */
import {
  type CapRevOrCredAsked,
  type CapRevOrCredKind,
  type CaptureAsked,
  type CryptoProvider,
  capRevOrCredKinds,
  readError,
  receiveBatchAdminRes,
  receiveCapRes,
  receiveCapRevOrCredRes,
  schema,
  sealBatchAdminReq,
  sealCapReq,
  sealCapRevOrCredReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { intermediatesFrom } from "../gatewayPki";
import type { GatewayTestKit, TestGateway } from "./gatewayTestKit";

/** The lab's amounts: yen, no minor unit. */
export const jpy = (amount: number): schema.CurrencyAmount => ({ currency: 392, amount, amtExp10: 0 });

/** The lab merchant's MerchantID, as its certificates name it. */
export const labMerID = "SETLAB-MER-0001";

export interface CapItem {
  readonly a: Pick<ApprovedAuthorization, "transIDs" | "authRRPID" | "capToken">;
  readonly amount: number;
  /** The batch the item is asked into (SaleDetail.BatchID); the open batch when absent. */
  readonly batchID?: number;
  /** Another CapToken than the authorization's. */
  readonly token?: schema.CapToken;
  /** Another AuthRRPID than the authorization's. */
  readonly authRRPID?: Uint8Array;
}

export interface SentCapReq {
  readonly bytes: Uint8Array;
  readonly asked: CaptureAsked[];
  readonly rrpid: Uint8Array;
}

/** One item of a CapRevReq, CredReq or CredRevReq. */
export interface CapRevOrCredItem {
  readonly a: Pick<ApprovedAuthorization, "transIDs" | "authRRPID" | "capToken">;
  /** What was captured (the CapPayload naming the capture). */
  readonly captured: number;
  /** CapRevOrCredReqAmt; absent for a whole capture reversal. */
  readonly amount?: number;
  /** CapRevOrCredReqDate; a new one when absent (each new request item is dated once). */
  readonly date?: Date;
  /** NewBatchID: the batch the item is asked into; the open batch when absent. */
  readonly newBatchID?: number;
}

export interface SentCapRevOrCred {
  readonly kind: CapRevOrCredKind;
  readonly bytes: Uint8Array;
  readonly rrpid: Uint8Array;
  readonly asked: CapRevOrCredAsked[];
}

export interface SentBatchAdmin {
  readonly bytes: Uint8Array;
  readonly rrpid: Uint8Array;
  readonly batchID: number;
  readonly merchantId: string;
}

export interface ApprovedAuthorization {
  readonly authReqData: schema.AuthReqData;
  readonly piDer: Uint8Array;
  readonly transIDs: schema.TransIDs;
  readonly authRRPID: Uint8Array;
  readonly authResPayload: schema.AuthResPayload;
  readonly capToken: schema.CapToken;
  readonly authAmt: schema.CurrencyAmount;
}

export interface MerchantSide {
  /**
   * An approved authorization of `amount` yen: the AuthReq's parts, its PI, the answer. With
   * `sale`, the AuthReq asks for CaptureNow and the gateway must have captured it too.
   */
  authorize(g: TestGateway, amount: number, options?: { sale?: boolean }): Promise<ApprovedAuthorization>;
  /** A CapReq of the lab merchant for `items`, sealed to the Visa gateway. */
  capReq(items: readonly CapItem[], rrpid?: Uint8Array): Promise<SentCapReq>;
  /** The CapRes to `sent`, opened; an Error answer is thrown. */
  capRes(bytes: Uint8Array, sent: SentCapReq): ReturnType<typeof receiveCapRes>;
  /** A CapRevReq, CredReq or CredRevReq of the lab merchant for `items`, sealed to the Visa gateway. */
  capRevOrCredReq(
    kind: CapRevOrCredKind,
    items: readonly CapRevOrCredItem[],
    rrpid?: Uint8Array,
  ): Promise<SentCapRevOrCred>;
  /** A fresh CapRevOrCredReqDate: each new request item of a merchant is dated once. */
  newDate(): Date;
  /** Its answer, opened; an Error answer is thrown. */
  capRevOrCredRes(bytes: Uint8Array, sent: SentCapRevOrCred): ReturnType<typeof receiveCapRevOrCredRes>;
  /**
   * A BatchAdminReq of a Visa merchant (the lab's by default) about `batchID` (0: its open one);
   * `merID` another MerchantID than its certificate's.
   */
  batchAdminReq(
    operation: schema.BatchOperation,
    batchID?: number,
    options?: { readonly merchantId?: string; readonly merID?: string },
  ): Promise<SentBatchAdmin>;
  /** Its answer, opened; an Error answer is thrown. */
  batchAdminRes(bytes: Uint8Array, sent: SentBatchAdmin): ReturnType<typeof receiveBatchAdminRes>;
  /** Throws an Error answer with its ErrorCode. */
  refuseError(bytes: Uint8Array): Promise<void>;
  /** What the merchant opens and checks the gateway's answers with. */
  keys(merchantId?: string): Promise<{
    decrypter: { certificate: Uint8Array; privateKey: CryptoKey };
    trust: { pinnedRoot: Uint8Array; intermediates: Uint8Array[]; at: Date };
  }>;
}

export function merchantSide(p: CryptoProvider, { pki, b }: Pick<GatewayTestKit, "pki" | "b">): MerchantSide {
  const keys: MerchantSide["keys"] = async (merchantId = "visa/merchant") => ({
    decrypter: {
      certificate: pki.certificate(`${merchantId}/key-exchange`),
      privateKey: await b.keyExchangeKey(merchantId),
    },
    trust: { pinnedRoot: pki.root(), intermediates: intermediatesFrom(pki), at: new Date() },
  });
  const refuseError = async (bytes: Uint8Array) => {
    const w = schema.decodeMessage(bytes);
    if (w.message.type === "error") throw new Error(`Error ${(await readError(p, w.message.value)).code}`);
  };
  let dates = 0;
  /** A fresh CapRevOrCredReqDate, a second after the last. */
  const newDate = () => new Date(Date.UTC(2026, 10, 26, 9, 0, 0) + ++dates * 1000);
  return {
    keys,
    refuseError,
    newDate,
    async capRevOrCredReq(kind, items, rrpid = p.random(20)) {
      const data: schema.CapRevOrCredReqData = {
        capRevOrCredRRTags: {
          rrpid,
          merTermIDs: { merchantID: labMerID },
          currentDate: wholeSeconds(new Date()),
        },
        capRevOrCredReqItemSeq: items.map((i) => ({
          transIDs: i.a.transIDs,
          authRRPID: i.a.authRRPID,
          capPayload: { capDate: wholeSeconds(new Date()), capReqAmt: jpy(i.captured) },
          ...(i.newBatchID !== undefined ? { newBatchID: i.newBatchID } : {}),
          capRevOrCredReqDate: i.date ?? newDate(),
          ...(i.amount !== undefined ? { capRevOrCredReqAmt: jpy(i.amount) } : {}),
          newAccountInd: false,
        })),
      };
      const sealed = await sealCapRevOrCredReq(
        p,
        kind,
        await b.merchantSigner("Visa"),
        b.gatewayKex("Visa"),
        data,
        items.map((i) => i.a.capToken),
      );
      const bytes = wrapMessage(
        { type: capRevOrCredKinds[kind].requestType, value: sealed } as Parameters<typeof wrapMessage>[0],
        { rrpid },
        { date: new Date() },
      );
      const asked = items.map((i) => ({
        transIDs: i.a.transIDs,
        authRRPID: i.a.authRRPID,
        amount: jpy(i.amount ?? i.captured),
      }));
      return { kind, bytes, rrpid, asked };
    },
    async capRevOrCredRes(bytes, sent) {
      await refuseError(bytes);
      return receiveCapRevOrCredRes(
        p,
        sent.kind,
        bytes,
        { rrpid: sent.rrpid, items: sent.asked, brand: "Visa", gateway: b.gatewayKex("Visa") },
        await keys(),
      );
    },
    async batchAdminReq(operation, batchID = 0, options = {}) {
      const merchantId = options.merchantId ?? "visa/merchant";
      const rrpid = p.random(20);
      const data: schema.BatchAdminReqData = {
        batchAdminRRTags: {
          rrpid,
          merTermIDs: {
            merchantID: options.merID ?? (merchantId === "visa/merchant" ? labMerID : "SETLAB-MER-0002"),
          },
          currentDate: wholeSeconds(new Date()),
        },
        batchID,
        batchOperation: operation,
      };
      const sealed = await sealBatchAdminReq(
        p,
        await b.merchantSigner("Visa", merchantId),
        b.gatewayKex("Visa"),
        data,
      );
      const bytes = wrapMessage(
        { type: "batchAdministrationRequest", value: sealed },
        { rrpid },
        { date: new Date() },
      );
      return { bytes, rrpid, batchID, merchantId };
    },
    async batchAdminRes(bytes, sent) {
      await refuseError(bytes);
      return receiveBatchAdminRes(
        p,
        bytes,
        { rrpid: sent.rrpid, batchID: sent.batchID, brand: "Visa", gateway: b.gatewayKex("Visa") },
        await keys(sent.merchantId),
      );
    },
    async authorize({ gw }, amount, options = {}) {
      const req = await b.build({
        amount,
        ...(options.sale
          ? {
              merchant: (parts) => {
                parts.authReqData = { ...parts.authReqData, captureNow: true };
              },
            }
          : {}),
      });
      const r = await b.read((await gw.handle(req.bytes)).response);
      if (r.type !== "authRes" || r.data.authResPayload.authHeader.authCode !== "approved")
        throw new Error("not approved");
      if (options.sale && r.data.authResPayload.capResPayload?.capCode !== "success")
        throw new Error("the sale was not captured");
      const sent = schema.decodeMessage(req.bytes).message;
      if (sent.type !== "authorizationRequest") throw new Error("not an AuthReq");
      return {
        authReqData: req.parts.authReqData,
        piDer: sent.value.pi,
        transIDs: req.parts.transIDs,
        authRRPID: req.parts.authRRPID,
        authResPayload: r.data.authResPayload,
        capToken: r.baggage.capToken!,
        authAmt: r.data.authResPayload.authHeader.authAmt,
      };
    },
    async capReq(items, rrpid = p.random(20)) {
      const asked: CaptureAsked[] = items.map((i) => ({
        transIDs: i.a.transIDs,
        authRRPID: i.authRRPID ?? i.a.authRRPID,
        capReqAmt: jpy(i.amount),
      }));
      const data: schema.CapReqData = {
        capRRTags: { rrpid, merTermIDs: { merchantID: labMerID }, currentDate: wholeSeconds(new Date()) },
        capItemSeq: items.map((i, n) => ({
          ...asked[n],
          capPayload: {
            capDate: wholeSeconds(new Date()),
            capReqAmt: asked[n].capReqAmt,
            ...(i.batchID !== undefined
              ? { saleDetail: { batchID: i.batchID, okToPrintPhoneInd: true } }
              : {}),
          },
        })),
      };
      const sealed = await sealCapReq(
        p,
        await b.merchantSigner("Visa"),
        b.gatewayKex("Visa"),
        data,
        items.map((i) => i.token ?? i.a.capToken),
      );
      const bytes = wrapMessage({ type: "captureRequest", value: sealed }, { rrpid }, { date: new Date() });
      return { bytes, asked, rrpid };
    },
    async capRes(bytes, sent) {
      await refuseError(bytes);
      return receiveCapRes(
        p,
        bytes,
        { capRRPID: sent.rrpid, items: sent.asked, brand: "Visa", gateway: b.gatewayKex("Visa") },
        await keys(),
      );
    },
  };
}
