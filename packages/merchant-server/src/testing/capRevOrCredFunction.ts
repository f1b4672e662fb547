/**
 * Test-only: the capture reversal, credit and credit reversal side of `GatewayFunction`: each
 * request judged by protocol's receive and `judgeAgainstCapture` over an in-memory ledger, booked
 * into the batch its NewBatchID names (batchUnknown, batchClosed) or the open one, and answered
 * with a real CapRevRes, CredRes or CredRevRes. A request seen before gets its first
 * answer again; `code` forces the code of the next answers; `drop` loses the next answer (the
 * request is booked, the merchant hears nothing).
 */
import {
  type CapRevOrCredKind,
  type CaptureStanding,
  type CryptoProvider,
  capRevOrCredKinds,
  currencyByCode,
  judgeAgainstCapture,
  receiveCapRevOrCredReq,
  type schema,
  sealCapRevOrCredRes,
  toHex,
  wrapMessage,
} from "@setlab/protocol";
import { defaultMerchantData, type TestPki } from "@setlab/protocol/testing";
import { GatewayUnreachableError } from "../core/gatewayClient";

const kindOf: Readonly<Record<string, CapRevOrCredKind>> = {
  captureReversalRequest: "captureReversal",
  creditRequest: "credit",
  creditReversalRequest: "creditReversal",
};

/** A settlement batch of the test gateway: captures (JPY amounts), the requests on captures, closed. */
export interface TestBatch {
  readonly items: number[];
  readonly capRevOrCreds: { kind: CapRevOrCredKind; amount: bigint }[];
  closed: boolean;
}

/** The BatchSequenceNum of the batch's last item. */
export const sequenceOf = (batch: TestBatch): number => batch.items.length + batch.capRevOrCreds.length;

export class CapRevOrCredFunction {
  /** Captures, by AuthRRPID (hex), as the capture side booked them. */
  readonly ledger = new Map<string, CaptureStanding>();
  private readonly answers = new Map<string, Uint8Array>();
  code?: schema.CapRevOrCredCode;
  drop = false;
  /** Requests booked (success), in order. */
  readonly booked: { kind: CapRevOrCredKind; amount: bigint }[] = [];

  constructor(
    private readonly p: CryptoProvider,
    private readonly pki: TestPki,
    /** The gateway's batches, shared with its captures. */
    private readonly batches: TestBatch[] = [],
  ) {}

  static kindOf(type: string): CapRevOrCredKind | undefined {
    return kindOf[type];
  }

  captured(authRRPID: string, amount: schema.CurrencyAmount): void {
    const exponent = currencyByCode(amount.currency)?.exponent ?? 0;
    const minor = BigInt(amount.amount) * 10n ** BigInt(amount.amtExp10 + exponent);
    this.ledger.set(authRRPID, {
      amount: minor,
      currency: amount.currency,
      reversed: false,
      credited: 0n,
      creditReversed: 0n,
      booked: [],
    });
  }

  async answer(kind: CapRevOrCredKind, message: Uint8Array): Promise<Uint8Array> {
    const { p, pki } = this;
    const gatewayKex = { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey };
    const received = await receiveCapRevOrCredReq(p, kind, message, {
      brand: "Visa",
      gatewayKex,
      capTokenKeys: {
        signer: { certificate: pki.gatewaySig.certificate, privateKey: pki.gatewaySig.privateKey },
        decrypter: gatewayKex,
      },
      trust: { pinnedRoot: pki.root.certificate, at: p.now() },
      now: p.now(),
      enrolledMerIDs: [defaultMerchantData.merID],
      maxItems: 16,
    });
    const rrpid = toHex(received.data.capRevOrCredRRTags.rrpid);
    const seen = this.answers.get(rrpid);
    if (seen) return seen;
    if (received.repeat) throw new Error("a repeat with no answer kept");
    const items = received.items.map((judged) => {
      const { item } = judged;
      const nothing = { ...(item.capRevOrCredReqAmt ?? item.capPayload.capReqAmt), amount: 0 };
      const refuse = (code: schema.CapRevOrCredCode) => ({ code, actual: nothing });
      const key = toHex(item.authRRPID);
      const decided = (() => {
        if (this.code) return refuse(this.code);
        if (judged.kind === "refused") return refuse(judged.code);
        const standing = this.ledger.get(key);
        const verdict = judgeAgainstCapture(kind, judged, standing);
        if (!verdict.ok || !standing) return refuse(verdict.ok ? "originalNotFound" : verdict.code);
        const named = item.newBatchID;
        if (named === undefined && (this.batches.length === 0 || this.batches.at(-1)!.closed))
          this.batches.push({ items: [], capRevOrCreds: [], closed: false });
        const batchID = named ?? this.batches.length;
        const batch = this.batches[batchID - 1];
        if (!batch) return refuse("batchUnknown");
        if (batch.closed) return refuse("batchClosed");
        this.ledger.set(key, {
          ...standing,
          reversed: standing.reversed || kind === "captureReversal",
          credited: standing.credited + (kind === "credit" ? verdict.amount : 0n),
          creditReversed: standing.creditReversed + (kind === "creditReversal" ? verdict.amount : 0n),
          booked: [...standing.booked, { kind, date: item.capRevOrCredReqDate.toISOString() }],
        });
        this.booked.push({ kind, amount: verdict.amount });
        batch.capRevOrCreds.push({ kind, amount: verdict.amount });
        const exponent = currencyByCode(judged.currency)?.exponent ?? 0;
        return {
          code: "success" as const,
          actual: { currency: judged.currency, amount: Number(verdict.amount), amtExp10: -exponent },
          batch: { batchID, batchSequenceNum: sequenceOf(batch) },
        };
      })();
      return {
        transIDs: item.transIDs,
        authRRPID: item.authRRPID,
        capRevOrCredResPayload: {
          capRevOrCredCode: decided.code,
          capRevOrCredActualAmt: decided.actual,
          ...("batch" in decided ? decided.batch : {}),
        },
      };
    });
    const sealed = await sealCapRevOrCredRes(
      p,
      kind,
      {
        certificate: pki.gatewaySig.certificate,
        privateKey: pki.gatewaySig.privateKey,
        chain: pki.intermediatesOf("gatewaySig"),
      },
      received.merchantKex.der,
      { capRevOrCredRRTags: received.data.capRevOrCredRRTags, capRevOrCredResItemSeq: items },
    );
    const bytes = wrapMessage(
      { type: capRevOrCredKinds[kind].responseType, value: sealed } as Parameters<typeof wrapMessage>[0],
      { rrpid: received.data.capRevOrCredRRTags.rrpid },
      { date: p.now() },
    );
    this.answers.set(rrpid, bytes);
    if (this.drop) {
      this.drop = false;
      throw new GatewayUnreachableError("the answer was lost");
    }
    return bytes;
  }
}
