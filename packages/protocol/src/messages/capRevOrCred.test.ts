import { prepareRevocation } from "../cert/revocation";
import { parseSetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { nodeProvider } from "../crypto/provider";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type {
  CapRevOrCredReqData,
  CapRevOrCredReqItem,
  CapRevOrCredResData,
  CapToken,
} from "../schema/payment";
import { createTestPki, type TestPki } from "../testing/pki";
import { revocationFixture } from "../testing/revocation";
import {
  receiveCapRevReq,
  receiveCapRevRes,
  receiveCredReq,
  receiveCredRes,
  receiveCredRevReq,
  receiveCredRevRes,
  sealCapRevRes,
  sealCredReq,
} from "./capRevAndCred";
import {
  type CapRevOrCredKind,
  capRevOrCredKinds,
  sealCapRevOrCredReq,
  sealCapRevOrCredRes,
} from "./capRevOrCred";
import { type CaptureStanding, judgeAgainstCapture } from "./capRevOrCredAmount";
import type { CapTokenKeys } from "./capToken";
import {
  code,
  fromGateway,
  id,
  merchantReceiver,
  merID,
  rrTags,
  authorization as sealedAuthorization,
  usd,
} from "./capToken.test-helper";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import type { CapRevOrCredItem, CapRevOrCredReqReceiver } from "./receiveCapRevOrCredReq";
import type { CapRevOrCredAsked } from "./receiveCapRevOrCredRes";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const kinds: CapRevOrCredKind[] = ["captureReversal", "credit", "creditReversal"];
const receivers = {
  captureReversal: receiveCapRevReq,
  credit: receiveCredReq,
  creditReversal: receiveCredRevReq,
};
const resReceivers = {
  captureReversal: receiveCapRevRes,
  credit: receiveCredRes,
  creditReversal: receiveCredRevRes,
};

let pki: TestPki;
let m: MessageFixture;
let keys: CapTokenKeys;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  keys = { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") };
});

const transIDs = (xid: number): TransIDs => ({ ...m.f.order.transIDs, xid: id(xid) });

/** An approved authorization's CapToken, as its AuthRes carried it. */
const authorization = (n: number, authAmt = usd(1000), merchantID = merID) =>
  sealedAuthorization(p, keys, m.f.order.transIDs, n, authAmt, { merchantID });
type Authorization = Awaited<ReturnType<typeof authorization>>;

const item = (
  a: Authorization,
  amount: CurrencyAmount | undefined,
  captured = usd(1000),
  date = new Date(Date.UTC(2026, 10, 26, 9)),
): CapRevOrCredReqItem => ({
  transIDs: a.transIDs,
  authRRPID: a.authRRPID,
  capPayload: { capDate: new Date(Date.UTC(2026, 10, 25, 13)), capReqAmt: captured },
  capRevOrCredReqDate: date,
  ...(amount ? { capRevOrCredReqAmt: amount } : {}),
  newAccountInd: false,
});

const requestData = (
  items: CapRevOrCredReqItem[],
  merchantID = merID,
  rrpid = id(0x78),
): CapRevOrCredReqData => ({
  capRevOrCredRRTags: rrTags(rrpid, new Date(Date.UTC(2026, 10, 26, 9)), merchantID),
  capRevOrCredReqItemSeq: items,
});

async function wrapRequest(
  kind: CapRevOrCredKind,
  data: CapRevOrCredReqData,
  tokens: CapToken[],
  options: { date?: Date; ids?: WrapperIds; signer?: ReturnType<MessageFixture["authSigner"]> } = {},
) {
  const request = await sealCapRevOrCredReq(
    p,
    kind,
    options.signer ?? m.authSigner(),
    pki.gatewayKex.certificate,
    data,
    tokens,
  );
  return wrapMessage(
    { type: capRevOrCredKinds[kind].requestType, value: request } as Parameters<typeof wrapMessage>[0],
    options.ids ?? { rrpid: data.capRevOrCredRRTags.rrpid },
    { date: options.date ?? new Date() },
  );
}

const receiver = (over: Partial<CapRevOrCredReqReceiver> = {}): CapRevOrCredReqReceiver => ({
  brand: "Visa",
  gatewayKex: m.decrypter("gatewayKex"),
  capTokenKeys: keys,
  trust: m.trust,
  now: new Date(),
  enrolledMerIDs: [merID],
  maxItems: 8,
  ...over,
});

const accepted = (r: Awaited<ReturnType<typeof receiveCredReq>>) => {
  if (r.repeat) throw new Error("not a repeat");
  return r.items;
};

describe("receiveCapRevReq, receiveCredReq, receiveCredRevReq", () => {
  it.each(kinds)("a %s is opened under its own content types and judged item by item", async (kind) => {
    const a = await authorization(1);
    const amount = kind === "captureReversal" ? undefined : usd(250);
    const data = requestData([item(a, amount)]);
    const r = await receivers[kind](p, await wrapRequest(kind, data, [a.capToken]), receiver());
    expect(r.kind).toBe(kind);
    expect(r.merID).toBe(merID);
    const [first] = accepted(r) as CapRevOrCredItem[];
    expect(first).toMatchObject({ kind: "accepted", currency: 840, captured: 1000n });
    expect(first.amount).toBe(amount ? 250n : undefined);
  });

  it("each receive takes only its own message type; one kind's envelope under another's type is the decryption failure", async () => {
    const a = await authorization(1);
    const data = requestData([item(a, usd(1))]);
    const credReq = await wrapRequest("credit", data, [a.capToken]);
    expect(await code(receiveCapRevReq(p, credReq, receiver()))).toBe("messageNotSupported");
    expect(await code(receiveCredRevReq(p, credReq, receiver()))).toBe("messageNotSupported");
    const sealed = await sealCredReq(p, m.authSigner(), pki.gatewayKex.certificate, data, [a.capToken]);
    const relabelled = wrapMessage(
      { type: "creditReversalRequest", value: sealed },
      { rrpid: id(0x78) },
      { date: new Date() },
    );
    const e = await rejection(receiveCredRevReq(p, relabelled, receiver()));
    expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
  });

  it("the EncBX form is messageNotSupported", async () => {
    const a = await authorization(1);
    const sealed = await sealCredReq(
      p,
      m.authSigner(),
      pki.gatewayKex.certificate,
      requestData([item(a, usd(1))]),
      [a.capToken],
    );
    const encBX = wrapMessage(
      { type: "creditRequest", value: { type: "encBX", value: sealed.value } },
      {},
      { date: new Date() },
    );
    expect(await code(receiveCredReq(p, encBX, receiver()))).toBe("messageNotSupported");
  });

  it("more items than the receiver takes is messageTooBig before any decryption", async () => {
    const a = await authorization(1);
    const data = requestData([1, 2, 3].map((n) => item({ ...a, authRRPID: id(n) }, usd(1))));
    const bytes = await wrapRequest("credit", data, [a.capToken, a.capToken, a.capToken]);
    expect(await code(receiveCredReq(p, bytes, receiver({ maxItems: 2 })))).toBe("messageTooBig");
    expect(
      await code(receiveCredReq(p, bytes, receiver({ maxItems: 2, gatewayKex: m.decrypter("merchantKex") }))),
    ).toBe("messageTooBig");
  });

  it("one CapToken per item, or decodingFailure", async () => {
    const a = await authorization(1);
    const bytes = await wrapRequest("credit", requestData([item(a, usd(1))]), [a.capToken, a.capToken]);
    expect(await code(receiveCredReq(p, bytes, receiver()))).toBe("decodingFailure");
  });

  it("a tampered envelope, or tokens swapped after sealing, is the generic decryption failure", async () => {
    const [a, b] = await Promise.all([authorization(1), authorization(2)]);
    const sealed = await sealCredReq(
      p,
      m.authSigner(),
      pki.gatewayKex.certificate,
      requestData([item(a, usd(1))]),
      [a.capToken],
    );
    const wrap = (value: typeof sealed.value) =>
      wrapMessage(
        { type: "creditRequest", value: { type: "encB", value } },
        { rrpid: id(0x78) },
        { date: new Date() },
      );
    for (const bytes of [
      wrap({ ...sealed.value, capTokenSeq: [b.capToken] }),
      wrap({ ...sealed.value, envelope: flip(sealed.value.envelope, -1) }),
    ]) {
      const e = await rejection(receiveCredReq(p, bytes, receiver()));
      expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
    }
  });

  it("a request signed with a gateway certificate (not mer) or without the merchant's key-exchange certificate is refused", async () => {
    const a = await authorization(1);
    const data = requestData([item(a, usd(1))]);
    const gatewaySigner = { ...m.signer("gatewaySig"), chain: [pki.merchantKex.certificate] };
    expect(
      await code(
        receiveCredReq(
          p,
          await wrapRequest("credit", data, [a.capToken], { signer: gatewaySigner }),
          receiver(),
        ),
      ),
    ).toBe("invalidCertificate");
    expect(
      await code(
        receiveCredReq(
          p,
          await wrapRequest("credit", data, [a.capToken], { signer: m.signer("merchantSig") }),
          receiver(),
        ),
      ),
    ).toBe("missingCertificate");
  });

  it("a revoked merchant signature certificate is revokedCertificate; another brand's gateway key is refused", async () => {
    const a = await authorization(1);
    const r = await revocationFixture(p, pki, { revoked: ["merchantSig"] });
    const prepared = await prepareRevocation(
      p,
      { bci: r.bci, brandCa: parseSetCertificate(pki.brandCa.certificate), crls: r.crls },
      m.trust.at,
    );
    const trust: Trust = { ...m.trust, revocation: { Visa: prepared } };
    const bytes = await wrapRequest("credit", requestData([item(a, usd(1))]), [a.capToken]);
    expect(await code(receiveCredReq(p, bytes, receiver({ trust })))).toBe("revokedCertificate");
    expect(await code(receiveCredReq(p, bytes, receiver({ brand: "Mastercard" })))).toBe(
      "invalidCertificate",
    );
  });

  it("a merchant not enrolled, or RRTags naming another merchant, is invalidCertificate naming the signer", async () => {
    const a = await authorization(1);
    const bytes = await wrapRequest("credit", requestData([item(a, usd(1))]), [a.capToken]);
    const e = await rejection(receiveCredReq(p, bytes, receiver({ enrolledMerIDs: ["SETLAB-MER-0002"] })));
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toBeDefined();
    const other = await wrapRequest("credit", requestData([item(a, usd(1))], "SETLAB-MER-0002"), [
      a.capToken,
    ]);
    expect(await code(receiveCredReq(p, other, receiver()))).toBe("invalidCertificate");
  });

  it("header ids must equal the body's: the RRPID, and the XID of a one-item request", async () => {
    const a = await authorization(1);
    const data = requestData([item(a, usd(1))]);
    const wrong = await wrapRequest("credit", data, [a.capToken], { ids: { rrpid: id(1) } });
    expect(await code(receiveCredReq(p, wrong, receiver()))).toBe("wrapperMsgMismatch");
    const ids = { rrpid: id(0x78), lid_C: a.transIDs.lid_C, xid: id(9) };
    expect(
      await code(receiveCredReq(p, await wrapRequest("credit", data, [a.capToken], { ids }), receiver())),
    ).toBe("wrapperMsgMismatch");
    const right = { ...ids, xid: a.transIDs.xid };
    expect(
      (await receiveCredReq(p, await wrapRequest("credit", data, [a.capToken], { ids: right }), receiver()))
        .repeat,
    ).toBe(false);
  });

  it("a retry of the same request is a repeat, even late; its RRPID reused with other content is unknownRRPID", async () => {
    const a = await authorization(1);
    const data = requestData([item(a, usd(1))]);
    const first = await receiveCredReq(p, await wrapRequest("credit", data, [a.capToken]), receiver());
    const answered = { fingerprintOf: () => first.fingerprint };
    const late = new Date(Date.now() - 24 * 3600_000);
    const again = await receiveCredReq(
      p,
      await wrapRequest("credit", data, [a.capToken], { date: late }),
      receiver({ answered }),
    );
    expect(again.repeat).toBe(true);
    const changed = requestData([item(a, usd(2))]);
    expect(
      await code(
        receiveCredReq(p, await wrapRequest("credit", changed, [a.capToken]), receiver({ answered })),
      ),
    ).toBe("unknownRRPID");
  });

  it("a new request with a stale or future header date is refused", async () => {
    const a = await authorization(1);
    const data = requestData([item(a, usd(1))]);
    const old = new Date(Date.now() - 24 * 3600_000);
    const future = new Date(Date.now() + 24 * 3600_000);
    expect(
      await code(
        receiveCredReq(p, await wrapRequest("credit", data, [a.capToken], { date: old }), receiver()),
      ),
    ).toBe("messageTooOld");
    expect(
      await code(
        receiveCredReq(p, await wrapRequest("credit", data, [a.capToken], { date: future }), receiver()),
      ),
    ).toBe("messageTooNew");
  });

  it("refuses per item, as CapRevOrCredCodes: the CapToken missing or not this item's, a capture it cannot be, an amount missing, fractional or in another currency, the same authorization twice", async () => {
    const a = await authorization(1);
    const otherMerchant = await authorization(3, usd(1000), "SETLAB-MER-0002");
    const b = await authorization(5);
    const eur = { currency: 978, amount: 10, amtExp10: -2 };
    const cases: [CapRevOrCredReqItem, CapToken, string][] = [
      [item({ ...a, authRRPID: id(0x51) }, usd(1)), { type: "none", value: null }, "missingCapToken"],
      [item({ ...a, authRRPID: id(0x52) }, usd(1)), a.capToken, "invalidCapToken"],
      [item(otherMerchant, usd(1)), otherMerchant.capToken, "invalidCapToken"],
      [item({ ...b, transIDs: transIDs(9) }, usd(1)), b.capToken, "invalidCapToken"],
      [item(a, usd(1), usd(1001)), a.capToken, "capDataMismatch"],
      [item(a, usd(1), eur), a.capToken, "capDataMismatch"],
      [item(a, undefined), a.capToken, "amountError"],
      [item(a, usd(1, -3)), a.capToken, "amountError"],
      [item(a, eur), a.capToken, "amountError"],
      [item(a, { ...usd(1), amount: 0 }), a.capToken, "amountError"],
    ];
    for (const [i, token, expected] of cases) {
      const r = await receiveCredReq(p, await wrapRequest("credit", requestData([i]), [token]), receiver());
      expect([expected, accepted(r)[0]]).toEqual([
        expected,
        expect.objectContaining({ kind: "refused", code: expected }),
      ]);
    }
    const twice = requestData([item(a, usd(1)), item(a, usd(2))]);
    const r = await receiveCredReq(
      p,
      await wrapRequest("credit", twice, [a.capToken, a.capToken]),
      receiver(),
    );
    expect(accepted(r).map((i) => (i.kind === "refused" ? i.code : i.kind))).toEqual([
      "accepted",
      "duplicateRequest",
    ]);
  });

  it("a capture reversal may leave out the amount; a credit reversal may not", async () => {
    const a = await authorization(1);
    const data = requestData([item(a, undefined)]);
    const rev = await receiveCapRevReq(
      p,
      await wrapRequest("captureReversal", data, [a.capToken]),
      receiver(),
    );
    expect(accepted(rev)[0].kind).toBe("accepted");
    const credRev = await receiveCredRevReq(
      p,
      await wrapRequest("creditReversal", data, [a.capToken]),
      receiver(),
    );
    expect(accepted(credRev)[0]).toMatchObject({ kind: "refused", code: "amountError" });
  });
});

describe("judgeAgainstCapture: what may be done to the capture on record", () => {
  const date = new Date(Date.UTC(2026, 10, 26, 9));
  const judged = (amount?: bigint, captured = 1000n, currency = 840): CapRevOrCredItem =>
    ({
      kind: "accepted",
      item: { capRevOrCredReqDate: date },
      currency,
      captured,
      ...(amount !== undefined ? { amount } : {}),
    }) as CapRevOrCredItem;
  const standing = (over: Partial<CaptureStanding> = {}): CaptureStanding => ({
    amount: 1000n,
    currency: 840,
    reversed: false,
    credited: 0n,
    creditReversed: 0n,
    booked: [],
    ...over,
  });
  const result = (kind: CapRevOrCredKind, item: CapRevOrCredItem, s?: CaptureStanding) => {
    const j = judgeAgainstCapture(kind, item, s);
    return j.ok ? j.amount : j.code;
  };

  it("nothing captured is originalNotFound for all three", () => {
    for (const kind of kinds) expect(result(kind, judged(1n), undefined)).toBe("originalNotFound");
  });

  it("an item naming another capture (amount or currency) is capDataMismatch", () => {
    expect(result("credit", judged(1n, 999n), standing())).toBe("capDataMismatch");
    expect(result("credit", judged(1n, 1000n, 978), standing())).toBe("capDataMismatch");
  });

  it("a credit: up to what was captured less what stands credited, exactly", () => {
    expect(result("credit", judged(1000n), standing())).toBe(1000n);
    expect(result("credit", judged(1001n), standing())).toBe("amountError");
    expect(result("credit", judged(401n), standing({ credited: 600n }))).toBe("amountError");
    expect(result("credit", judged(400n), standing({ credited: 600n }))).toBe(400n);
    // a reversed credit frees its amount again
    expect(result("credit", judged(601n), standing({ credited: 600n, creditReversed: 200n }))).toBe(
      "amountError",
    );
    expect(result("credit", judged(600n), standing({ credited: 600n, creditReversed: 200n }))).toBe(600n);
    expect(result("credit", judged(1n), standing({ reversed: true }))).toBe("originalNotFound");
  });

  it("the same request again under new ids (same kind and date) is duplicateRequest; another kind or date is not", () => {
    const booked = [{ kind: "credit" as const, date: date.toISOString() }];
    expect(result("credit", judged(1n), standing({ credited: 1n, booked }))).toBe("duplicateRequest");
    expect(result("creditReversal", judged(1n), standing({ credited: 1n, booked }))).toBe(1n);
    const later = {
      ...judged(1n),
      item: { capRevOrCredReqDate: new Date(date.getTime() + 1000) },
    } as CapRevOrCredItem;
    expect(result("credit", later, standing({ credited: 1n, booked }))).toBe(1n);
  });

  it("a capture reversal: all of the capture, once, and not while a credit stands", () => {
    expect(result("captureReversal", judged(), standing())).toBe(1000n);
    expect(result("captureReversal", judged(1000n), standing())).toBe(1000n);
    expect(result("captureReversal", judged(999n), standing())).toBe("amountError");
    expect(result("captureReversal", judged(), standing({ credited: 1n }))).toBe("originalProcessed");
    expect(result("captureReversal", judged(), standing({ credited: 1n, creditReversed: 1n }))).toBe(1000n);
    expect(result("captureReversal", judged(), standing({ reversed: true }))).toBe("originalNotFound");
  });

  it("a credit reversal: only of a credit that stands, at most its amount", () => {
    expect(result("creditReversal", judged(1n), standing())).toBe("originalNotFound");
    expect(result("creditReversal", judged(300n), standing({ credited: 300n }))).toBe(300n);
    expect(result("creditReversal", judged(301n), standing({ credited: 300n }))).toBe("amountError");
    expect(result("creditReversal", judged(1n), standing({ credited: 300n, creditReversed: 300n }))).toBe(
      "originalNotFound",
    );
  });

  it("settlement is final: a capture in a closed batch is not reversed; a credit reversal takes back only what stands credited in the open batch", () => {
    const settled = (captureSettled: boolean, openCredit: bigint) => ({
      settlement: { captureSettled, openCredit },
    });
    expect(result("captureReversal", judged(), standing(settled(false, 0n)))).toBe(1000n);
    expect(result("captureReversal", judged(), standing(settled(true, 0n)))).toBe("originalProcessed");
    // a credit is given whatever is settled
    expect(result("credit", judged(1000n), standing(settled(true, 0n)))).toBe(1000n);
    const credited = { credited: 500n, ...settled(true, 200n) };
    expect(result("creditReversal", judged(200n), standing(credited))).toBe(200n);
    expect(result("creditReversal", judged(201n), standing(credited))).toBe("amountError");
    expect(result("creditReversal", judged(1n), standing({ credited: 500n, ...settled(false, 0n) }))).toBe(
      "originalProcessed",
    );
  });
});

function resData(asked: CapRevOrCredAsked[], rrpid = id(0x78)): CapRevOrCredResData {
  return {
    capRevOrCredRRTags: rrTags(rrpid, new Date(Date.UTC(2026, 10, 26, 9))),
    capRevOrCredResItemSeq: asked.map((a) => ({
      transIDs: a.transIDs,
      authRRPID: a.authRRPID,
      capRevOrCredResPayload: { capRevOrCredCode: "success", capRevOrCredActualAmt: a.amount },
    })),
  } as CapRevOrCredResData;
}

describe("receiveCapRevRes, receiveCredRes, receiveCredRevRes", () => {
  const asked = (): CapRevOrCredAsked[] => [
    { transIDs: transIDs(1), authRRPID: id(0x41), amount: usd(250) },
    { transIDs: transIDs(2), authRRPID: id(0x42), amount: usd(5, 0) },
  ];
  const expected = (items = asked()) => ({ rrpid: id(0x78), items, ...fromGateway(pki) });
  const merchant = () => merchantReceiver(m);
  const wrap = async (
    kind: CapRevOrCredKind,
    data: CapRevOrCredResData,
    signer = m.signer("gatewaySig"),
    ids: WrapperIds = { rrpid: data.capRevOrCredRRTags.rrpid },
  ) =>
    wrapMessage(
      {
        type: capRevOrCredKinds[kind].responseType,
        value: await sealCapRevOrCredRes(p, kind, signer, pki.merchantKex.certificate, data),
      } as Parameters<typeof wrapMessage>[0],
      ids,
      { date: new Date() },
    );

  it.each(kinds)(
    "a %s answer is read item by item; 5.00 asked as {5, 0} and answered as {500, -2} is done",
    async (kind) => {
      const data = resData(asked());
      const second = data.capRevOrCredResItemSeq[1];
      data.capRevOrCredResItemSeq[1] = {
        ...second,
        capRevOrCredResPayload: { ...second.capRevOrCredResPayload, capRevOrCredActualAmt: usd(500) },
      };
      const r = await resReceivers[kind](p, await wrap(kind, data), expected(), merchant());
      expect(r.kind).toBe(kind);
      expect(r.items.map((i) => i.verdict)).toEqual(["done", "done"]);
    },
  );

  it("another code is refused; a success for another amount or currency is amountMismatch", async () => {
    const data = resData(asked());
    const [first, second] = data.capRevOrCredResItemSeq;
    data.capRevOrCredResItemSeq = [
      {
        ...first,
        capRevOrCredResPayload: { capRevOrCredCode: "amountError", capRevOrCredActualAmt: usd(0) },
      },
      { ...second, capRevOrCredResPayload: { capRevOrCredCode: "success", capRevOrCredActualAmt: usd(499) } },
    ];
    const r = await receiveCredRes(p, await wrap("credit", data), expected(), merchant());
    expect(r.items.map((i) => i.verdict)).toEqual(["refused", "amountMismatch"]);
    const euro = resData([{ ...asked()[0], amount: { currency: 978, amount: 250, amtExp10: -2 } }]);
    expect(
      (await receiveCredRes(p, await wrap("credit", euro), expected([asked()[0]]), merchant())).items[0]
        .verdict,
    ).toBe("amountMismatch");
  });

  it("each receive takes only its own answer; one kind's envelope under another's type is the decryption failure", async () => {
    const data = resData(asked());
    expect(await code(receiveCapRevRes(p, await wrap("credit", data), expected(), merchant()))).toBe(
      "messageNotSupported",
    );
    const credRes = await sealCapRevOrCredRes(
      p,
      "credit",
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      data,
    );
    const relabelled = wrapMessage(
      { type: "creditReversalResponse", value: credRes },
      { rrpid: id(0x78) },
      { date: new Date() },
    );
    const e = await rejection(receiveCredRevRes(p, relabelled, expected(), merchant()));
    expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
  });

  it("an answer signed by a merchant certificate (not pgwy) is invalidCertificate", async () => {
    expect(
      await code(
        receiveCredRes(
          p,
          await wrap("credit", resData(asked()), m.signer("merchantSig")),
          expected(),
          merchant(),
        ),
      ),
    ).toBe("invalidCertificate");
  });

  it("a gateway other than the one the request was sealed to is refused, naming it", async () => {
    const e = await rejection(
      receiveCredRes(
        p,
        await wrap("credit", resData(asked())),
        { ...expected(), gateway: pki.merchantKex.certificate },
        merchant(),
      ),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toBeDefined();
  });

  it("a revoked gateway signature certificate is revokedCertificate", async () => {
    const r = await revocationFixture(p, pki, { revoked: ["gatewaySig"] });
    const prepared = await prepareRevocation(
      p,
      { bci: r.bci, brandCa: parseSetCertificate(pki.brandCa.certificate), crls: r.crls },
      m.trust.at,
    );
    const trust: Trust = { ...m.trust, revocation: { Visa: prepared } };
    expect(
      await code(
        receiveCredRes(p, await wrap("credit", resData(asked())), expected(), { ...merchant(), trust }),
      ),
    ).toBe("revokedCertificate");
  });

  it("a tampered answer is the generic decryption failure", async () => {
    const credRes = await sealCapRevRes(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      resData(asked()),
    );
    const bytes = wrapMessage(
      { type: "captureReversalResponse", value: flip(credRes, -2) },
      {},
      { date: new Date() },
    );
    const e = await rejection(receiveCapRevRes(p, bytes, expected(), merchant()));
    expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
  });

  it("an RRPID not ours is unknownRRPID; a header RRPID other than the body's is wrapperMsgMismatch", async () => {
    const data = resData(asked());
    expect(
      await code(receiveCredRes(p, await wrap("credit", data), { ...expected(), rrpid: id(1) }, merchant())),
    ).toBe("unknownRRPID");
    expect(
      await code(
        receiveCredRes(p, await wrap("credit", data, undefined, { rrpid: id(1) }), expected(), merchant()),
      ),
    ).toBe("wrapperMsgMismatch");
  });

  it("each item must answer the item asked, in order: count, AuthRRPID, TransIDs", async () => {
    const items = asked();
    expect(
      await code(receiveCredRes(p, await wrap("credit", resData([items[0]])), expected(), merchant())),
    ).toBe("wrapperMsgMismatch");
    expect(
      await code(
        receiveCredRes(p, await wrap("credit", resData([items[1], items[0]])), expected(), merchant()),
      ),
    ).toBe("unknownRRPID");
    const otherXid = [items[0], { ...items[1], transIDs: transIDs(9) }];
    expect(
      await code(receiveCredRes(p, await wrap("credit", resData(otherXid)), expected(), merchant())),
    ).toBe("unknownXID");
  });
});
