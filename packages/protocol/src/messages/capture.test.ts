import { nodeProvider } from "../crypto/provider";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { CapItem, CapReqData, CapResData, CapToken, CapTokenOpaque } from "../schema/payment";
import { createTestPki, type TestPki } from "../testing/pki";
import { maxCapItems, sealCapReq } from "./capReq";
import { sealCapRes } from "./capRes";
import { type CapTokenKeys, openCapToken, sealCapToken } from "./capToken";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { receiveCapReq } from "./receiveCapReq";
import { type CaptureAsked, receiveCapRes } from "./receiveCapRes";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const merID = "SETLAB-MER-0001";
const usd = (amount: number, amtExp10 = -2): CurrencyAmount => ({ currency: 840, amount, amtExp10 });
const id = (n: number) => new Uint8Array(20).fill(n);
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;

let pki: TestPki;
let m: MessageFixture;
let keys: CapTokenKeys;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  keys = { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") };
});

const transIDs = (xid: number): TransIDs => ({ ...m.f.order.transIDs, xid: id(xid) });

/** An authorization the gateway approved: its CapToken, as an AuthRes would carry it. */
async function authorization(n: number, authAmt = usd(1000), opaque: Partial<CapTokenOpaque> = {}) {
  const capToken = await sealCapToken(
    p,
    keys,
    { authRRPID: id(0x40 + n), authAmt },
    { xid: id(n), merchantID: merID, authRecordID: `auth-${n}`, ...opaque },
  );
  return { n, capToken, authRRPID: id(0x40 + n), transIDs: transIDs(n) };
}
type Authorization = Awaited<ReturnType<typeof authorization>>;

const capItem = (a: Authorization, capReqAmt: CurrencyAmount): CapItem => ({
  transIDs: a.transIDs,
  authRRPID: a.authRRPID,
  capPayload: { capDate: new Date(Date.UTC(2026, 10, 25, 13)), capReqAmt },
});

const capReqData = (items: CapItem[], merchantID = merID, rrpid = id(0x77)): CapReqData => ({
  capRRTags: { rrpid, merTermIDs: { merchantID }, currentDate: new Date(Date.UTC(2026, 10, 25, 13)) },
  capItemSeq: items,
});

async function wrapCapReq(
  data: CapReqData,
  tokens: CapToken[],
  options: { date?: Date; ids?: WrapperIds; signer?: ReturnType<MessageFixture["authSigner"]> } = {},
) {
  const capReq = await sealCapReq(
    p,
    options.signer ?? m.authSigner(),
    pki.gatewayKex.certificate,
    data,
    tokens,
  );
  return wrapMessage(
    { type: "captureRequest", value: capReq },
    options.ids ?? { rrpid: data.capRRTags.rrpid },
    {
      date: options.date ?? new Date(),
    },
  );
}

const receiver = (over: Record<string, unknown> = {}) => ({
  brand: "Visa",
  gatewayKex: m.decrypter("gatewayKex"),
  capTokenKeys: keys,
  trust: m.trust,
  now: new Date(),
  enrolledMerIDs: [merID],
  maxItems: 8,
  ...over,
});

describe("CapToken", () => {
  it("opens with the gateway's keys and gives back what it bound", async () => {
    const a = await authorization(1, usd(1234));
    expect(a.capToken.type).toBe("enc");
    const opened = await openCapToken(p, keys, a.capToken);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.data.authAmt).toEqual(usd(1234));
    expect(opened.data.authRRPID).toEqual(id(0x41));
    expect(opened.opaque).toEqual({ xid: id(1), merchantID: merID, authRecordID: "auth-1" });
  });

  it("the merchant cannot open it with its own key-exchange key", async () => {
    const a = await authorization(1);
    const merchantKeys = { ...keys, decrypter: m.decrypter("merchantKex") };
    expect(await openCapToken(p, merchantKeys, a.capToken)).toMatchObject({
      ok: false,
      capCode: "invalidCapToken",
    });
  });

  it("the empty form is capTokenMissing, the EncX form invalidCapToken", async () => {
    expect(await openCapToken(p, keys, { type: "none", value: null })).toMatchObject({
      capCode: "capTokenMissing",
    });
    const a = await authorization(1);
    const encX = { type: "encX", value: (a.capToken as { value: Uint8Array }).value } as CapToken;
    expect(await openCapToken(p, keys, encX)).toMatchObject({ capCode: "invalidCapToken" });
  });

  it("a token signed by another party than the gateway (a merchant forging one) is invalidCapToken", async () => {
    const forged = await sealCapToken(
      p,
      { ...keys, signer: m.signer("merchantSig") },
      { authRRPID: id(0x41), authAmt: usd(999999) },
      { xid: id(1), merchantID: merID, authRecordID: "auth-1" },
    );
    expect(await openCapToken(p, keys, forged)).toMatchObject({ ok: false, capCode: "invalidCapToken" });
  });

  it("a tampered token is invalidCapToken", async () => {
    const a = await authorization(1);
    const value = (a.capToken as { value: Uint8Array }).value;
    expect(await openCapToken(p, keys, { type: "enc", value: flip(value, -3) })).toMatchObject({
      capCode: "invalidCapToken",
    });
  });
});

describe("receiveCapReq", () => {
  it("captures several authorizations in one request, in full or in part, exactly in minor units", async () => {
    const [a, b] = await Promise.all([authorization(1, usd(1000)), authorization(2, usd(50, 0))]);
    const data = capReqData([capItem(a, usd(1000)), capItem(b, usd(4999))]);
    const r = await receiveCapReq(p, await wrapCapReq(data, [a.capToken, b.capToken]), receiver());
    if (r.repeat) throw new Error("not a repeat");
    expect(r.merID).toBe(merID);
    expect(r.items.map((i) => i.kind)).toEqual(["capture", "capture"]);
    const [first, second] = r.items as Extract<(typeof r.items)[number], { kind: "capture" }>[];
    expect([first.amount, first.authorized, first.currency]).toEqual([1000n, 1000n, 840]);
    expect([second.amount, second.authorized]).toEqual([4999n, 5000n]);
    expect(second.opaque.authRecordID).toBe("auth-2");
  });

  it("refuses per item, as CapCodes: over the authorization, a token of another authorization, a fraction of a cent, a token of another authorization, merchant or transaction, missing, the same authorization twice", async () => {
    const a = await authorization(1, usd(1000));
    const otherMerchant = await authorization(3, usd(1000), { merchantID: "SETLAB-MER-0002" });
    const otherXid = await authorization(4, usd(1000), { xid: id(9) });
    const fifth = await authorization(5, usd(1000));
    const items: [CapItem, CapToken][] = [
      [capItem(a, usd(1001)), a.capToken],
      [capItem({ ...a, authRRPID: id(0x51) }, usd(10)), a.capToken],
      [capItem(fifth, usd(1, -3)), fifth.capToken],
      [capItem({ ...a, authRRPID: id(0x52) }, usd(10)), a.capToken],
      [capItem(otherMerchant, usd(10)), otherMerchant.capToken],
      [capItem(otherXid, usd(10)), otherXid.capToken],
      [capItem({ ...a, authRRPID: id(0x53) }, usd(10)), { type: "none", value: null }],
      [capItem(a, usd(10)), a.capToken],
    ];
    const data = capReqData(items.map(([i]) => i));
    const r = await receiveCapReq(
      p,
      await wrapCapReq(
        data,
        items.map(([, t]) => t),
      ),
      receiver(),
    );
    if (r.repeat) throw new Error("not a repeat");
    expect(r.items.map((i) => (i.kind === "refused" ? i.capCode : i.kind))).toEqual([
      "amountError",
      "invalidCapToken",
      "amountError",
      "invalidCapToken",
      "invalidCapToken",
      "invalidCapToken",
      "capTokenMissing",
      "duplicateRequest",
    ]);
  });

  it("another currency than authorized is amountError", async () => {
    const a = await authorization(1, usd(1000));
    const data = capReqData([capItem(a, { currency: 978, amount: 10, amtExp10: -2 })]);
    const r = await receiveCapReq(p, await wrapCapReq(data, [a.capToken]), receiver());
    expect(!r.repeat && r.items[0]).toMatchObject({ kind: "refused", capCode: "amountError" });
  });

  it("more items than the receiver takes is messageTooBig before any decryption", async () => {
    const a = await authorization(1);
    const data = capReqData([1, 2, 3].map((n) => capItem({ ...a, authRRPID: id(n) }, usd(1))));
    const bytes = await wrapCapReq(data, [a.capToken, a.capToken, a.capToken]);
    expect(await code(receiveCapReq(p, bytes, receiver({ maxItems: 2 })))).toBe("messageTooBig");
    // a key that cannot decrypt anything: the refusal comes first
    expect(
      await code(receiveCapReq(p, bytes, receiver({ maxItems: 2, gatewayKex: m.decrypter("merchantKex") }))),
    ).toBe("messageTooBig");
  });

  it("a CapReq of the most items the profile allows fits the 256 KiB body limit of a SET route", async () => {
    const tokens = await Promise.all(
      Array.from({ length: maxCapItems }, (_, i) =>
        authorization(i % 250, usd(1000), { authRecordID: `auth-${i}` }),
      ),
    );
    const data = capReqData(tokens.map((a, i) => capItem({ ...a, authRRPID: id(i % 250) }, usd(1000))));
    const bytes = await wrapCapReq(
      data,
      tokens.map((a) => a.capToken),
    );
    expect(bytes.length).toBeLessThan(256 * 1024);
    expect(bytes.length).toBeGreaterThan(maxCapItems * 1000);
  });

  it("one CapToken per CapItem, or decodingFailure", async () => {
    const a = await authorization(1);
    const data = capReqData([capItem(a, usd(1))]);
    expect(await code(receiveCapReq(p, await wrapCapReq(data, [a.capToken, a.capToken]), receiver()))).toBe(
      "decodingFailure",
    );
  });

  it("a tampered envelope, or tokens swapped after sealing, is the generic decryption failure", async () => {
    const [a, b] = await Promise.all([authorization(1), authorization(2)]);
    const data = capReqData([capItem(a, usd(1))]);
    const capReq = await sealCapReq(p, m.authSigner(), pki.gatewayKex.certificate, data, [a.capToken]);
    const ids = { rrpid: data.capRRTags.rrpid };
    const swapped = wrapMessage(
      {
        type: "captureRequest",
        value: { type: "encB", value: { ...capReq.value, capTokenSeq: [b.capToken] } },
      },
      ids,
      { date: new Date() },
    );
    const tampered = wrapMessage(
      {
        type: "captureRequest",
        value: { type: "encB", value: { ...capReq.value, envelope: flip(capReq.value.envelope, -1) } },
      },
      ids,
      { date: new Date() },
    );
    for (const bytes of [swapped, tampered]) {
      const e = await rejection(receiveCapReq(p, bytes, receiver()));
      expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
    }
  });

  it("the EncBX form and another message type are messageNotSupported", async () => {
    const a = await authorization(1);
    const data = capReqData([capItem(a, usd(1))]);
    const capReq = await sealCapReq(p, m.authSigner(), pki.gatewayKex.certificate, data, [a.capToken]);
    const encBX = wrapMessage(
      { type: "captureRequest", value: { type: "encBX", value: capReq.value } },
      {},
      {
        date: new Date(),
      },
    );
    expect(await code(receiveCapReq(p, encBX, receiver()))).toBe("messageNotSupported");
    const capRes = await sealCapRes(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      capResData([{ transIDs: transIDs(1), authRRPID: id(1), capReqAmt: usd(1) }]),
    );
    const other = wrapMessage({ type: "captureResponse", value: capRes }, {}, { date: new Date() });
    expect(await code(receiveCapReq(p, other, receiver()))).toBe("messageNotSupported");
  });

  it("a CapReq signed with a gateway certificate (not mer), or without the merchant's key-exchange certificate, is refused", async () => {
    const a = await authorization(1);
    const data = capReqData([capItem(a, usd(1))]);
    const gatewaySigner = { ...m.signer("gatewaySig"), chain: [pki.merchantKex.certificate] };
    expect(
      await code(
        receiveCapReq(p, await wrapCapReq(data, [a.capToken], { signer: gatewaySigner }), receiver()),
      ),
    ).toBe("invalidCertificate");
    expect(
      await code(
        receiveCapReq(
          p,
          await wrapCapReq(data, [a.capToken], { signer: m.signer("merchantSig") }),
          receiver(),
        ),
      ),
    ).toBe("missingCertificate");
  });

  it("a merchant not enrolled, or CapRRTags naming another merchant, is invalidCertificate naming the signer", async () => {
    const a = await authorization(1);
    const bytes = await wrapCapReq(capReqData([capItem(a, usd(1))]), [a.capToken]);
    const e = await rejection(receiveCapReq(p, bytes, receiver({ enrolledMerIDs: ["SETLAB-MER-0002"] })));
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toBeDefined();
    const other = await wrapCapReq(capReqData([capItem(a, usd(1))], "SETLAB-MER-0002"), [a.capToken]);
    expect(await code(receiveCapReq(p, other, receiver()))).toBe("invalidCertificate");
  });

  it("header ids must equal the body's: the RRPID, and the XID of a one-item request", async () => {
    const a = await authorization(1);
    const data = capReqData([capItem(a, usd(1))]);
    expect(
      await code(
        receiveCapReq(p, await wrapCapReq(data, [a.capToken], { ids: { rrpid: id(1) } }), receiver()),
      ),
    ).toBe("wrapperMsgMismatch");
    const ids = { rrpid: data.capRRTags.rrpid, lid_C: a.transIDs.lid_C, xid: id(9) };
    expect(await code(receiveCapReq(p, await wrapCapReq(data, [a.capToken], { ids }), receiver()))).toBe(
      "wrapperMsgMismatch",
    );
    const right = { ...ids, xid: a.transIDs.xid };
    expect(
      (await receiveCapReq(p, await wrapCapReq(data, [a.capToken], { ids: right }), receiver())).repeat,
    ).toBe(false);
  });

  it("a retry of the same request is a repeat, even late; its RRPID reused with other content is unknownRRPID", async () => {
    const a = await authorization(1);
    const data = capReqData([capItem(a, usd(1))]);
    const first = await receiveCapReq(p, await wrapCapReq(data, [a.capToken]), receiver());
    const answered = { fingerprintOf: () => first.fingerprint };
    const late = new Date(Date.now() - 24 * 3600_000);
    const again = await receiveCapReq(
      p,
      await wrapCapReq(data, [a.capToken], { date: late }),
      receiver({ answered }),
    );
    expect(again.repeat).toBe(true);
    const changed = capReqData([capItem(a, usd(2))]);
    expect(
      await code(receiveCapReq(p, await wrapCapReq(changed, [a.capToken]), receiver({ answered }))),
    ).toBe("unknownRRPID");
  });

  it("a new request with a stale or future header date is refused", async () => {
    const a = await authorization(1);
    const data = capReqData([capItem(a, usd(1))]);
    const old = new Date(Date.now() - 24 * 3600_000);
    expect(
      await code(receiveCapReq(p, await wrapCapReq(data, [a.capToken], { date: old }), receiver())),
    ).toBe("messageTooOld");
    const future = new Date(Date.now() + 24 * 3600_000);
    expect(
      await code(receiveCapReq(p, await wrapCapReq(data, [a.capToken], { date: future }), receiver())),
    ).toBe("messageTooNew");
  });
});

function capResData(asked: CaptureAsked[], over: Partial<CapResData> = {}): CapResData {
  return {
    capRRTags: {
      rrpid: id(0x77),
      merTermIDs: { merchantID: merID },
      currentDate: new Date(Date.UTC(2026, 10, 25, 13)),
    },
    capResItemSeq: asked.map((a) => ({
      transIDs: a.transIDs,
      authRRPID: a.authRRPID,
      capResPayload: { capCode: "success", capAmt: a.capReqAmt, batchID: 1, batchSequenceNum: 1 },
    })),
    ...over,
  } as CapResData;
}

describe("receiveCapRes", () => {
  const asked = (): CaptureAsked[] => [
    { transIDs: transIDs(1), authRRPID: id(0x41), capReqAmt: usd(1000) },
    { transIDs: transIDs(2), authRRPID: id(0x42), capReqAmt: usd(5, 0) },
  ];
  const expected = (items = asked()) => ({
    capRRPID: id(0x77),
    items,
    brand: "Visa",
    gateway: pki.gatewayKex.certificate,
  });
  const merchant = () => ({ decrypter: m.decrypter("merchantKex"), trust: m.trust });
  const wrap = async (
    data: CapResData,
    signer = m.signer("gatewaySig"),
    ids: WrapperIds = { rrpid: data.capRRTags.rrpid },
  ) =>
    wrapMessage(
      { type: "captureResponse", value: await sealCapRes(p, signer, pki.merchantKex.certificate, data) },
      ids,
      {
        date: new Date(),
      },
    );

  it("takes each item's answer; 5.00 asked as {5, 0} and answered as {500, -2} is the same amount", async () => {
    const data = capResData(asked());
    const second = data.capResItemSeq[1];
    const answered = {
      ...data,
      capResItemSeq: [
        data.capResItemSeq[0],
        { ...second, capResPayload: { ...second.capResPayload, capAmt: usd(500) } },
      ],
    };
    const r = await receiveCapRes(p, await wrap(answered), expected(), merchant());
    expect(r.items.map((i) => i.verdict)).toEqual(["captured", "captured"]);
  });

  it("another CapCode is refused; a success for another amount or currency is amountMismatch", async () => {
    const data = capResData(asked());
    const [first, second] = data.capResItemSeq;
    const answered = {
      ...data,
      capResItemSeq: [
        { ...first, capResPayload: { capCode: "amountError" as const, capAmt: usd(0) } },
        { ...second, capResPayload: { ...second.capResPayload, capAmt: usd(499) } },
      ],
    };
    const r = await receiveCapRes(p, await wrap(answered), expected(), merchant());
    expect(r.items.map((i) => i.verdict)).toEqual(["refused", "amountMismatch"]);
    const euro = {
      ...data,
      capResItemSeq: [
        { ...first, capResPayload: { ...first.capResPayload, capAmt: { ...usd(1000), currency: 978 } } },
      ],
    };
    const one = await receiveCapRes(p, await wrap(euro), expected([asked()[0]]), merchant());
    expect(one.items[0].verdict).toBe("amountMismatch");
  });

  it("refuses a CapRes signed by a merchant certificate (not pgwy)", async () => {
    const data = capResData(asked());
    expect(
      await code(receiveCapRes(p, await wrap(data, m.signer("merchantSig")), expected(), merchant())),
    ).toBe("invalidCertificate");
  });

  it("refuses a gateway other than the one the CapReq was sealed to", async () => {
    const data = capResData(asked());
    // the pinned gateway named by a certificate of another subject: the merchant's
    const e = await rejection(
      receiveCapRes(p, await wrap(data), { ...expected(), gateway: pki.merchantKex.certificate }, merchant()),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toBeDefined();
  });

  it("a tampered CapRes is the generic decryption failure", async () => {
    const capRes = await sealCapRes(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      capResData(asked()),
    );
    const bytes = wrapMessage({ type: "captureResponse", value: flip(capRes, -2) }, {}, { date: new Date() });
    const e = await rejection(receiveCapRes(p, bytes, expected(), merchant()));
    expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
  });

  it("an RRPID not ours is unknownRRPID; a header RRPID other than the body's is wrapperMsgMismatch", async () => {
    const data = capResData(asked());
    expect(
      await code(receiveCapRes(p, await wrap(data), { ...expected(), capRRPID: id(1) }, merchant())),
    ).toBe("unknownRRPID");
    expect(
      await code(receiveCapRes(p, await wrap(data, undefined, { rrpid: id(1) }), expected(), merchant())),
    ).toBe("wrapperMsgMismatch");
  });

  it("each item must answer the item asked, in order: count, AuthRRPID, TransIDs", async () => {
    const items = asked();
    expect(await code(receiveCapRes(p, await wrap(capResData([items[0]])), expected(), merchant()))).toBe(
      "wrapperMsgMismatch",
    );
    expect(
      await code(receiveCapRes(p, await wrap(capResData([items[1], items[0]])), expected(), merchant())),
    ).toBe("unknownRRPID");
    const otherXid = [items[0], { ...items[1], transIDs: transIDs(9) }];
    expect(await code(receiveCapRes(p, await wrap(capResData(otherXid)), expected(), merchant()))).toBe(
      "unknownXID",
    );
  });
});
