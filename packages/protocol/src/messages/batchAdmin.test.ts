import { encodeDer } from "../asn1/codec";
import { Enc } from "../crypto/enc";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { CurrencyAmount } from "../schema/common";
import {
  type BatchAdminReqData,
  type BatchAdminRes,
  BatchAdminResData,
  type BatchTotal,
} from "../schema/payment";
import { createTestPki, type TestPki } from "../testing/pki";
import { sealBatchAdminReq, sealBatchAdminRes } from "./batchAdmin";
import { encMessages } from "./encMessages";
import { errorMessage, RemoteSetError } from "./errorMessage";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { receiveBatchAdminReq } from "./receiveBatchAdminReq";
import { receiveBatchAdminRes } from "./receiveBatchAdminRes";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const merID = "SETLAB-MER-0001";
const id = (n: number) => new Uint8Array(20).fill(n);
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;
const when = new Date(Date.UTC(2026, 10, 25, 13));

let pki: TestPki;
let m: MessageFixture;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
});

const reqData = (over: Partial<BatchAdminReqData> = {}, merchantID = merID): BatchAdminReqData => ({
  batchAdminRRTags: { rrpid: id(0x61), merTermIDs: { merchantID }, currentDate: when },
  batchID: 0,
  batchOperation: "close",
  ...over,
});

async function wrapReq(
  data: BatchAdminReqData,
  options: { date?: Date; ids?: WrapperIds; signer?: ReturnType<MessageFixture["authSigner"]> } = {},
) {
  const sealed = await sealBatchAdminReq(
    p,
    options.signer ?? m.authSigner(),
    pki.gatewayKex.certificate,
    data,
  );
  return wrapMessage(
    { type: "batchAdministrationRequest", value: sealed },
    options.ids ?? { rrpid: data.batchAdminRRTags.rrpid },
    { date: options.date ?? new Date() },
  );
}

const receiver = (over: Record<string, unknown> = {}) => ({
  brand: "Visa",
  gatewayKex: m.decrypter("gatewayKex"),
  trust: m.trust,
  now: new Date(),
  enrolledMerIDs: [merID],
  ...over,
});

describe("receiveBatchAdminReq", () => {
  it("opens the request and names the merchant", async () => {
    const r = await receiveBatchAdminReq(
      p,
      await wrapReq(reqData({ batchOperation: "query", batchID: 3 })),
      receiver(),
    );
    expect(r.repeat).toBe(false);
    expect(r.merID).toBe(merID);
    expect([r.data.batchID, r.data.batchOperation]).toEqual([3, "query"]);
    expect(r.merchantKex.der).toEqual(pki.merchantKex.certificate);
  });

  it("another message type is messageNotSupported", async () => {
    const res = await sealBatchAdminRes(p, m.signer("gatewaySig"), pki.merchantKex.certificate, resData());
    const other = wrapMessage({ type: "batchAdministrationResponse", value: res }, {}, { date: new Date() });
    expect(await code(receiveBatchAdminReq(p, other, receiver()))).toBe("messageNotSupported");
  });

  it("a tampered envelope, or one sealed to another key, is the generic decryption failure", async () => {
    const sealed = await sealBatchAdminReq(p, m.authSigner(), pki.gatewayKex.certificate, reqData());
    const tampered = wrapMessage(
      { type: "batchAdministrationRequest", value: flip(sealed, -1) },
      {},
      { date: new Date() },
    );
    const wrongKey = await wrapReq(reqData());
    for (const [bytes, r] of [
      [tampered, receiver()],
      [wrongKey, receiver({ gatewayKex: m.decrypter("merchantKex") })],
    ] as const) {
      const e = await rejection(receiveBatchAdminReq(p, bytes, r));
      expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
    }
  });

  it("signed with a gateway certificate (not mer) is invalidCertificate; without the key-exchange certificate missingCertificate", async () => {
    const gatewaySigner = { ...m.signer("gatewaySig"), chain: [pki.merchantKex.certificate] };
    expect(
      await code(receiveBatchAdminReq(p, await wrapReq(reqData(), { signer: gatewaySigner }), receiver())),
    ).toBe("invalidCertificate");
    expect(
      await code(
        receiveBatchAdminReq(p, await wrapReq(reqData(), { signer: m.signer("merchantSig") }), receiver()),
      ),
    ).toBe("missingCertificate");
  });

  it("a merchant of another brand than the key is invalidCertificate", async () => {
    expect(
      await code(receiveBatchAdminReq(p, await wrapReq(reqData()), receiver({ brand: "MasterCard" }))),
    ).toBe("invalidCertificate");
  });

  it("a merchant not enrolled, or BatchAdminRRTags naming another merchant, is invalidCertificate naming the signer", async () => {
    const e = await rejection(
      receiveBatchAdminReq(p, await wrapReq(reqData()), receiver({ enrolledMerIDs: ["SETLAB-MER-0002"] })),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toBeDefined();
    const other = await rejection(
      receiveBatchAdminReq(p, await wrapReq(reqData({}, "SETLAB-MER-0002")), receiver()),
    );
    expect([other.code, other.thumb !== undefined]).toEqual(["invalidCertificate", true]);
  });

  it("header ids must equal the body's: the RRPID, and no TransIDs the body does not carry", async () => {
    expect(
      await code(receiveBatchAdminReq(p, await wrapReq(reqData(), { ids: { rrpid: id(1) } }), receiver())),
    ).toBe("wrapperMsgMismatch");
    const ids = { rrpid: id(0x61), lid_C: id(2), xid: id(3) };
    expect(await code(receiveBatchAdminReq(p, await wrapReq(reqData(), { ids }), receiver()))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("a retry is a repeat even late; the RRPID reused with other content is unknownRRPID", async () => {
    const first = await receiveBatchAdminReq(p, await wrapReq(reqData()), receiver());
    const answered = { fingerprintOf: () => first.fingerprint };
    const late = new Date(Date.now() - 24 * 3600_000);
    const again = await receiveBatchAdminReq(
      p,
      await wrapReq(reqData(), { date: late }),
      receiver({ answered }),
    );
    expect(again.repeat).toBe(true);
    expect(
      await code(receiveBatchAdminReq(p, await wrapReq(reqData({ batchID: 4 })), receiver({ answered }))),
    ).toBe("unknownRRPID");
  });

  it("a new request with a stale or future header date is refused", async () => {
    const old = new Date(Date.now() - 24 * 3600_000);
    const future = new Date(Date.now() + 24 * 3600_000);
    expect(await code(receiveBatchAdminReq(p, await wrapReq(reqData(), { date: old }), receiver()))).toBe(
      "messageTooOld",
    );
    expect(await code(receiveBatchAdminReq(p, await wrapReq(reqData(), { date: future }), receiver()))).toBe(
      "messageTooNew",
    );
  });
});

const usd = (amount: number) => ({ currency: 840, amount, amtExp10: -2 });
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });
const total = (
  brandID: string,
  [salesCount, salesAmount]: [number, CurrencyAmount],
  [creditCount, creditAmount]: [number, CurrencyAmount],
): BatchTotal => ({ brandID, salesCount, salesAmount, creditCount, creditAmount });

function resData(over: Partial<BatchAdminResData> = {}): BatchAdminResData {
  return {
    batchAdminRRTags: { rrpid: id(0x61), merTermIDs: { merchantID: merID }, currentDate: when },
    batchID: 7,
    batchAdminCode: "success",
    batchStatus: {
      batchID: 7,
      openDateTime: when,
      closedDateTime: when,
      transactionCount: 4,
    },
    batchTotals: [total("Visa", [2, usd(1500)], [1, usd(200)]), total("Visa", [1, jpy(900)], [0, jpy(0)])],
    ...over,
  };
}

describe("receiveBatchAdminRes", () => {
  const expected = (over: Record<string, unknown> = {}) => ({
    rrpid: id(0x61),
    batchID: 0,
    brand: "Visa",
    gateway: pki.gatewayKex.certificate,
    ...over,
  });
  const merchant = () => ({ decrypter: m.decrypter("merchantKex"), trust: m.trust });
  const wrap = async (data: BatchAdminResData, signer = m.signer("gatewaySig"), ids?: WrapperIds) =>
    wrapMessage(
      {
        type: "batchAdministrationResponse",
        value: await sealBatchAdminRes(p, signer, pki.merchantKex.certificate, data),
      },
      ids ?? { rrpid: data.batchAdminRRTags.rrpid },
      { date: new Date() },
    );

  it("takes the answer about the open batch, with its status and totals per brand and currency", async () => {
    const r = await receiveBatchAdminRes(p, await wrap(resData()), expected(), merchant());
    expect(r.data.batchID).toBe(7);
    expect(r.data.batchTotals?.map((t) => t.salesAmount.currency)).toEqual([840, 392]);
  });

  it("a gateway's SET Error comes back as RemoteSetError", async () => {
    const request = await wrapReq(reqData());
    const error = await errorMessage(p, new SetError("unknownRRPID", "x"), request, {});
    const e = await rejection(receiveBatchAdminRes(p, error, expected(), merchant()));
    expect(e).toBeInstanceOf(RemoteSetError);
    expect(e.code).toBe("unknownRRPID");
  });

  it("a tampered answer is the generic decryption failure", async () => {
    const sealed = await sealBatchAdminRes(p, m.signer("gatewaySig"), pki.merchantKex.certificate, resData());
    const bytes = wrapMessage(
      { type: "batchAdministrationResponse", value: flip(sealed, -2) },
      {},
      { date: new Date() },
    );
    const e = await rejection(receiveBatchAdminRes(p, bytes, expected(), merchant()));
    expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
  });

  it("signed by a merchant certificate (not pgwy) is invalidCertificate", async () => {
    expect(
      await code(
        receiveBatchAdminRes(p, await wrap(resData(), m.signer("merchantSig")), expected(), merchant()),
      ),
    ).toBe("invalidCertificate");
  });

  it("another gateway than the one the request was sealed to is invalidCertificate naming it", async () => {
    const e = await rejection(
      receiveBatchAdminRes(
        p,
        await wrap(resData()),
        expected({ gateway: pki.merchantKex.certificate }),
        merchant(),
      ),
    );
    expect([e.code, e.thumb !== undefined]).toEqual(["invalidCertificate", true]);
  });

  it("a header RRPID other than the body's is wrapperMsgMismatch; an RRPID not ours unknownRRPID", async () => {
    expect(
      await code(
        receiveBatchAdminRes(p, await wrap(resData(), undefined, { rrpid: id(1) }), expected(), merchant()),
      ),
    ).toBe("wrapperMsgMismatch");
    expect(
      await code(receiveBatchAdminRes(p, await wrap(resData()), expected({ rrpid: id(1) }), merchant())),
    ).toBe("unknownRRPID");
  });

  it("an answer about another batch than asked, or a success naming no batch for the open one, is wrapperMsgMismatch", async () => {
    expect(
      await code(receiveBatchAdminRes(p, await wrap(resData()), expected({ batchID: 8 }), merchant())),
    ).toBe("wrapperMsgMismatch");
    const none = resData({ batchID: 0, batchStatus: undefined, batchTotals: undefined });
    expect(await code(receiveBatchAdminRes(p, await wrap(none), expected(), merchant()))).toBe(
      "wrapperMsgMismatch",
    );
    // no open batch to close: the refusal names batch 0, and that is a fine answer
    const unknown = { ...none, batchAdminCode: "unknownBatch" as const };
    expect(
      (await receiveBatchAdminRes(p, await wrap(unknown), expected(), merchant())).data.batchAdminCode,
    ).toBe("unknownBatch");
  });

  it("a status about another batch, or totals not adding up to its count, is wrapperMsgMismatch", async () => {
    const data = resData();
    const otherStatus = resData({ batchStatus: { ...data.batchStatus!, batchID: 6 } });
    expect(await code(receiveBatchAdminRes(p, await wrap(otherStatus), expected(), merchant()))).toBe(
      "wrapperMsgMismatch",
    );
    const miscounted = resData({ batchStatus: { ...data.batchStatus!, transactionCount: 3 } });
    expect(await code(receiveBatchAdminRes(p, await wrap(miscounted), expected(), merchant()))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("takes a status with the sales and credit sums of a one-currency batch", async () => {
    const oneCurrency = resData({
      batchStatus: {
        batchID: 7,
        openDateTime: when,
        transactionCount: 5,
        salesAmount: jpy(1100),
        creditAmount: jpy(300),
      },
      batchTotals: [
        total("Mastercard", [1, jpy(200)], [0, jpy(0)]),
        total("Visa", [3, jpy(900)], [1, jpy(300)]),
      ],
    });
    const r = await receiveBatchAdminRes(p, await wrap(oneCurrency), expected(), merchant());
    expect(r.data.batchTotals?.map((t) => [t.salesCount, t.creditCount])).toEqual([
      [1, 0],
      [3, 1],
    ]);
  });

  it("a total not well formed is decodingFailure: a currency that is none, amounts not in its minor units or in two currencies, an amount with no items, two totals for one brand and currency", async () => {
    const bad: BatchTotal[][] = [
      [
        total(
          "Visa",
          [1, { currency: 999, amount: 5, amtExp10: 0 }],
          [0, { currency: 999, amount: 0, amtExp10: 0 }],
        ),
      ],
      [total("Visa", [1, { currency: 840, amount: 5, amtExp10: 0 }], [0, usd(0)])],
      [total("Visa", [1, usd(5)], [1, { currency: 840, amount: 5, amtExp10: -3 }])],
      [total("Visa", [1, usd(5)], [1, jpy(5)])],
      [total("Visa", [0, usd(5)], [0, usd(0)])],
      [total("Visa", [1, usd(5)], [0, usd(1)])],
      [total("Visa", [1, usd(5)], [0, usd(0)]), total("Visa", [1, usd(7)], [0, usd(0)])],
    ];
    for (const batchTotals of bad) {
      const data = resData({ batchStatus: undefined, batchTotals });
      expect(await code(receiveBatchAdminRes(p, await wrap(data), expected(), merchant()))).toBe(
        "decodingFailure",
      );
    }
  });

  it("a negative count, which no gateway of ours can write, is decodingFailure", async () => {
    const data = resData({
      batchStatus: undefined,
      batchTotals: [total("Visa", [0x5a, usd(5)], [0, usd(0)])],
    });
    const der = encodeDer(BatchAdminResData, data);
    const at = der.findIndex((_, n) => der[n] === 2 && der[n + 1] === 1 && der[n + 2] === 0x5a);
    expect(der.filter((_, n) => der[n] === 2 && der[n + 1] === 1 && der[n + 2] === 0x5a)).toHaveLength(1);
    const negative = der.slice();
    negative[at + 2] = 0xa6; // -90
    const sealed = (await Enc(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      encMessages.BatchAdminRes.types,
      negative,
    )) as BatchAdminRes;
    const bytes = wrapMessage(
      { type: "batchAdministrationResponse", value: sealed },
      { rrpid: data.batchAdminRRTags.rrpid },
      { date: new Date() },
    );
    expect(await code(receiveBatchAdminRes(p, bytes, expected(), merchant()))).toBe("decodingFailure");
  });

  it("a status whose sales or credit amount is not the totals' sum, or states one for a batch in several currencies, is wrapperMsgMismatch", async () => {
    const status = { batchID: 7, openDateTime: when, transactionCount: 2 };
    const totals = [total("Visa", [1, jpy(900)], [1, jpy(100)])];
    for (const [over, batchTotals] of [
      [{ salesAmount: jpy(901) }, totals],
      [{ creditAmount: jpy(0) }, totals],
      [{ creditAmount: usd(100) }, totals],
      [{ salesAmount: jpy(900) }, [...totals, total("Visa", [0, usd(0)], [0, usd(0)])]],
    ] as const) {
      const data = resData({ batchStatus: { ...status, ...over }, batchTotals: [...batchTotals] });
      expect(await code(receiveBatchAdminRes(p, await wrap(data), expected(), merchant()))).toBe(
        "wrapperMsgMismatch",
      );
    }
    const right = resData({
      batchStatus: { ...status, salesAmount: jpy(900), creditAmount: jpy(100) },
      batchTotals: totals,
    });
    expect((await receiveBatchAdminRes(p, await wrap(right), expected(), merchant())).data.batchID).toBe(7);
  });
});
