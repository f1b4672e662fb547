import { encodeDer } from "../asn1/codec";
import { concatBytes } from "../asn1/tlv";
import { sha256Hex } from "../cert/digest";
import { nodeProvider } from "../crypto/provider";
import { toMinorUnits } from "../money/amount";
import type { CurrencyAmount } from "../schema/common";
import { AuthReqData, type AuthRevReqData, type AuthRevResData, type CapToken } from "../schema/payment";
import { createTestPki, type TestPki } from "../testing/pki";
import { sealAuthRevReq } from "./authRevReq";
import { sealAuthRevRes } from "./authRevRes";
import { type CapTokenKeys, sealCapToken } from "./capToken";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { type AuthRevReqReceiver, type RecordedAuthorization, receiveAuthRevReq } from "./receiveAuthRevReq";
import { receiveAuthRevRes } from "./receiveAuthRevRes";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const merID = "SETLAB-MER-0001";
const id = (n: number) => new Uint8Array(20).fill(n);
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;

let pki: TestPki;
let m: MessageFixture;
let keys: CapTokenKeys;
/** The fixture's purchase amount, in minor units, and a CapToken the gateway issued for it. */
let purchAmt: CurrencyAmount;
let authorizedMinor: bigint;
let capToken: CapToken;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  keys = { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") };
  purchAmt = m.f.order.purchAmt;
  const read = toMinorUnits(purchAmt);
  if (!read.ok) throw new Error("the fixture's amount");
  authorizedMinor = read.minor;
  capToken = await tokenFor({});
});

const authRRPID = () => m.authReqData.authReqItem.authTags.authRRTags.rrpid;
const transIDs = () => m.authReqData.authReqItem.authTags.transIDs;

function tokenFor(over: { authRRPID?: Uint8Array; xid?: Uint8Array; merchantID?: string }) {
  return sealCapToken(
    p,
    keys,
    { authRRPID: over.authRRPID ?? authRRPID(), authAmt: purchAmt },
    { xid: over.xid ?? transIDs().xid, merchantID: over.merchantID ?? merID, authRecordID: "auth-1" },
  );
}

/** `n` minor units of the fixture's currency (yen: no minor digits). */
const minor = (n: number): CurrencyAmount => ({ currency: purchAmt.currency, amount: n, amtExp10: 0 });

const revData = (over: Partial<AuthRevReqData> = {}, rrpid = id(0x91)): AuthRevReqData => ({
  authRevTags: {
    authRevRRTags: {
      rrpid,
      merTermIDs: { merchantID: merID },
      currentDate: new Date(Date.UTC(2026, 10, 26)),
    },
  },
  authReqData: m.authReqData,
  authResPayload: m.authResData.authResPayload,
  authNewAmt: minor(0),
  ...over,
});

async function wrapRevReq(
  data: AuthRevReqData,
  options: {
    token?: CapToken | null;
    piDer?: Uint8Array;
    date?: Date;
    ids?: WrapperIds;
    signer?: ReturnType<MessageFixture["authSigner"]>;
  } = {},
) {
  const token = options.token === null ? undefined : (options.token ?? capToken);
  const req = await sealAuthRevReq(
    p,
    options.signer ?? m.authSigner(),
    pki.gatewayKex.certificate,
    data,
    options.piDer ?? m.piDer,
    token,
  );
  const ids = options.ids ?? {
    rrpid: data.authRevTags.authRevRRTags.rrpid,
    lid_C: data.authReqData.authReqItem.authTags.transIDs.lid_C,
    xid: data.authReqData.authReqItem.authTags.transIDs.xid,
  };
  return wrapMessage({ type: "authReversalRequest", value: req }, ids, { date: options.date ?? new Date() });
}

const recorded = (over: Partial<RecordedAuthorization> = {}): RecordedAuthorization => ({
  requestHash: sha256Hex(concatBytes([encodeDer(AuthReqData, m.authReqData), m.piDer])),
  authorized: authorizedMinor,
  currency: purchAmt.currency,
  ...over,
});

const receiver = (over: Partial<AuthRevReqReceiver> = {}): AuthRevReqReceiver => ({
  brand: "Visa",
  gatewayKex: m.decrypter("gatewayKex"),
  capTokenKeys: keys,
  trust: m.trust,
  now: new Date(),
  enrolledMerIDs: [merID],
  authorizationOf: () => recorded(),
  ...over,
});

async function judged(bytes: Uint8Array, over: Partial<AuthRevReqReceiver> = {}) {
  const r = await receiveAuthRevReq(p, bytes, receiver(over));
  if (r.repeat) throw new Error("not a repeat");
  return r.judged;
}

describe("receiveAuthRevReq", () => {
  it("takes a cancellation (AuthNewAmt zero) and a reduction, with or without the CapToken, exactly in minor units", async () => {
    const cancel = await judged(await wrapRevReq(revData()));
    expect(cancel).toMatchObject({ kind: "reverse", newAmount: 0n, authorized: authorizedMinor });
    const reduce = await judged(await wrapRevReq(revData({ authNewAmt: minor(100) }), { token: null }));
    expect(reduce).toMatchObject({ kind: "reverse", newAmount: 100n, currency: purchAmt.currency });
    expect(reduce.kind === "reverse" && reduce.capToken).toBeUndefined();
    // the same amount in another exponent
    const tens = await judged(await wrapRevReq(revData({ authNewAmt: { ...minor(10), amtExp10: 1 } })));
    expect(tens).toMatchObject({ kind: "reverse", newAmount: 100n });
  });

  it("a new amount at or above the authorization, in another currency, a fraction of a yen, or zero of no currency is amountError", async () => {
    const amounts: CurrencyAmount[] = [
      minor(Number(authorizedMinor)),
      minor(Number(authorizedMinor) + 1),
      { ...minor(1), currency: 978 },
      { ...minor(1), amtExp10: -1 },
      { ...minor(0), currency: 999 },
    ];
    for (const authNewAmt of amounts)
      expect(await judged(await wrapRevReq(revData({ authNewAmt })))).toMatchObject({
        kind: "refused",
        authRevCode: "amountError",
      });
  });

  it("an authorization not on record, another AuthReqData or PI than recorded, another merchant's AuthReqData, or an AuthResPayload that is not the authorization as it stands is originalNotFound", async () => {
    const refusedWith = async (bytes: Uint8Array, over: Partial<AuthRevReqReceiver> = {}) =>
      expect(await judged(bytes, over)).toMatchObject({ kind: "refused", authRevCode: "originalNotFound" });
    await refusedWith(await wrapRevReq(revData()), { authorizationOf: () => undefined });
    await refusedWith(await wrapRevReq(revData()), {
      authorizationOf: () => recorded({ requestHash: "00" }),
    });
    await refusedWith(await wrapRevReq(revData(), { piDer: flip(m.piDer, -1) }));
    const item = m.authReqData.authReqItem;
    const otherMerchant = {
      ...m.authReqData,
      authReqItem: {
        ...item,
        authTags: {
          ...item.authTags,
          authRRTags: { ...item.authTags.authRRTags, merTermIDs: { merchantID: "SETLAB-MER-0002" } },
        },
      },
    };
    await refusedWith(await wrapRevReq(revData({ authReqData: otherMerchant })));
    // the authorization was reduced before: the original approval's amount is no longer it
    await refusedWith(await wrapRevReq(revData()), { authorizationOf: () => recorded({ authorized: 100n }) });
    const header = m.authResData.authResPayload.authHeader;
    const declined = { authResPayload: { authHeader: { ...header, authCode: "declined" as const } } };
    await refusedWith(await wrapRevReq(revData(declined)));
  });

  it("a CapToken of another authorization, transaction or merchant, forged or empty, is invalidCapToken", async () => {
    const forged = await sealCapToken(
      p,
      { ...keys, signer: m.signer("merchantSig") },
      { authRRPID: authRRPID(), authAmt: purchAmt },
      { xid: transIDs().xid, merchantID: merID, authRecordID: "auth-1" },
    );
    const tokens: CapToken[] = [
      await tokenFor({ authRRPID: id(1) }),
      await tokenFor({ xid: id(2) }),
      await tokenFor({ merchantID: "SETLAB-MER-0002" }),
      forged,
      { type: "none", value: null },
    ];
    for (const token of tokens)
      expect(await judged(await wrapRevReq(revData(), { token }))).toMatchObject({
        kind: "refused",
        authRevCode: "invalidCapToken",
      });
  });

  it("a merchant not enrolled, or AuthRevRRTags naming another merchant, is invalidCertificate naming the signer", async () => {
    const e = await rejection(
      receiveAuthRevReq(p, await wrapRevReq(revData()), receiver({ enrolledMerIDs: ["SETLAB-MER-0002"] })),
    );
    expect([e.code, e.thumb !== undefined]).toEqual(["invalidCertificate", true]);
    const data = revData();
    const other = {
      ...data,
      authRevTags: {
        authRevRRTags: { ...data.authRevTags.authRevRRTags, merTermIDs: { merchantID: "SETLAB-MER-0002" } },
      },
    };
    expect(await code(receiveAuthRevReq(p, await wrapRevReq(other), receiver()))).toBe("invalidCertificate");
  });

  it("signed by a gateway certificate, or without the merchant's key-exchange certificate, is refused", async () => {
    const gatewaySigner = { ...m.signer("gatewaySig"), chain: [pki.merchantKex.certificate] };
    expect(
      await code(receiveAuthRevReq(p, await wrapRevReq(revData(), { signer: gatewaySigner }), receiver())),
    ).toBe("invalidCertificate");
    expect(
      await code(
        receiveAuthRevReq(p, await wrapRevReq(revData(), { signer: m.signer("merchantSig") }), receiver()),
      ),
    ).toBe("missingCertificate");
  });

  it("a tampered envelope, or baggage swapped after sealing, is the generic decryption failure", async () => {
    const data = revData();
    const req = await sealAuthRevReq(p, m.authSigner(), pki.gatewayKex.certificate, data, m.piDer, capToken);
    const ids = { rrpid: data.authRevTags.authRevRRTags.rrpid };
    const other = await tokenFor({ xid: id(3) });
    const variants = [
      { ...req, authRevReqBaggage: { ...req.authRevReqBaggage, capToken: other } },
      { ...req, authRevReqEnvelope: flip(req.authRevReqEnvelope, -1) },
    ];
    for (const value of variants) {
      const bytes = wrapMessage({ type: "authReversalRequest", value }, ids, { date: new Date() });
      const e = await rejection(receiveAuthRevReq(p, bytes, receiver()));
      expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
    }
  });

  it("another message type is messageNotSupported", async () => {
    const res = await sealAuthRevRes(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      revResData(),
      {},
    );
    const bytes = wrapMessage({ type: "authReversalResponse", value: res }, {}, { date: new Date() });
    expect(await code(receiveAuthRevReq(p, bytes, receiver()))).toBe("messageNotSupported");
  });

  it("header ids must equal the body's: the RRPID and the original authorization's TransIDs", async () => {
    const data = revData();
    expect(
      await code(receiveAuthRevReq(p, await wrapRevReq(data, { ids: { rrpid: id(1) } }), receiver())),
    ).toBe("wrapperMsgMismatch");
    const ids = { rrpid: data.authRevTags.authRevRRTags.rrpid, xid: id(9) };
    expect(await code(receiveAuthRevReq(p, await wrapRevReq(data, { ids }), receiver()))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("a retry of the same request is a repeat, even late; its RRPID reused with other content is unknownRRPID", async () => {
    const data = revData();
    const first = await receiveAuthRevReq(p, await wrapRevReq(data), receiver());
    const answered = { fingerprintOf: () => first.fingerprint };
    const late = new Date(Date.now() - 24 * 3600_000);
    const again = await receiveAuthRevReq(p, await wrapRevReq(data, { date: late }), receiver({ answered }));
    expect(again.repeat).toBe(true);
    const changed = revData({ authNewAmt: minor(1) });
    expect(await code(receiveAuthRevReq(p, await wrapRevReq(changed), receiver({ answered })))).toBe(
      "unknownRRPID",
    );
  });

  it("a new request with a stale or future header date is refused", async () => {
    const old = new Date(Date.now() - 24 * 3600_000);
    expect(await code(receiveAuthRevReq(p, await wrapRevReq(revData(), { date: old }), receiver()))).toBe(
      "messageTooOld",
    );
    const future = new Date(Date.now() + 24 * 3600_000);
    expect(await code(receiveAuthRevReq(p, await wrapRevReq(revData(), { date: future }), receiver()))).toBe(
      "messageTooNew",
    );
  });
});

function revResData(over: Partial<AuthRevResData> = {}): AuthRevResData {
  return {
    authRevCode: "approved",
    authRevTags: {
      authRevRRTags: {
        rrpid: id(0x91),
        merTermIDs: { merchantID: merID },
        currentDate: new Date(Date.UTC(2026, 10, 26)),
      },
    },
    authNewAmt: minor(0),
    ...over,
  };
}

describe("receiveAuthRevRes", () => {
  const expected = (authNewAmt = minor(0)) => ({
    authRevRRPID: id(0x91),
    authNewAmt,
    brand: "Visa",
    gateway: pki.gatewayKex.certificate,
  });
  const merchant = () => ({ decrypter: m.decrypter("merchantKex"), trust: m.trust });
  const wrap = async (
    data: AuthRevResData,
    baggage: { capTokenNew?: CapToken } = {},
    signer = m.signer("gatewaySig"),
    ids: WrapperIds = { rrpid: data.authRevTags.authRevRRTags.rrpid },
  ) =>
    wrapMessage(
      {
        type: "authReversalResponse",
        value: await sealAuthRevRes(p, signer, pki.merchantKex.certificate, data, baggage),
      },
      ids,
      { date: new Date() },
    );
  const reducedPayload = (amt: CurrencyAmount) => ({
    authHeader: { ...m.authResData.authResPayload.authHeader, authAmt: amt },
  });

  it("a cancellation approved is reversed; a reduction approved with its new CapToken and AuthResPayloadNew is reversed and hands them over", async () => {
    expect((await receiveAuthRevRes(p, await wrap(revResData()), expected(), merchant())).verdict).toBe(
      "reversed",
    );
    const data = revResData({
      authNewAmt: minor(100),
      authResPayloadNew: reducedPayload({ ...minor(10), amtExp10: 1 }),
    });
    const r = await receiveAuthRevRes(
      p,
      await wrap(data, { capTokenNew: capToken }),
      expected(minor(100)),
      merchant(),
    );
    expect(r.verdict).toBe("reversed");
    expect(r.capTokenNew).toEqual(capToken);
    expect(r.authResPayloadNew?.authHeader.authAmt).toEqual({ ...minor(10), amtExp10: 1 });
  });

  it("another AuthRevCode is refused; an approval for another amount, or a reduction without its CapToken or payload, is amountMismatch", async () => {
    const alreadyCaptured = revResData({ authRevCode: "alreadyCaptured" });
    expect((await receiveAuthRevRes(p, await wrap(alreadyCaptured), expected(), merchant())).verdict).toBe(
      "refused",
    );
    const verdict = async (
      data: AuthRevResData,
      baggage: { capTokenNew?: CapToken },
      asked: CurrencyAmount,
    ) => (await receiveAuthRevRes(p, await wrap(data, baggage), expected(asked), merchant())).verdict;
    expect(await verdict(revResData({ authNewAmt: minor(1) }), {}, minor(0))).toBe("amountMismatch");
    const reduced = revResData({ authNewAmt: minor(100), authResPayloadNew: reducedPayload(minor(100)) });
    expect(await verdict(reduced, {}, minor(100))).toBe("amountMismatch");
    const noPayload = revResData({ authNewAmt: minor(100) });
    expect(await verdict(noPayload, { capTokenNew: capToken }, minor(100))).toBe("amountMismatch");
    const otherPayload = revResData({ authNewAmt: minor(100), authResPayloadNew: reducedPayload(minor(99)) });
    expect(await verdict(otherPayload, { capTokenNew: capToken }, minor(100))).toBe("amountMismatch");
  });

  it("refuses an AuthRevRes signed by a merchant certificate, or by another gateway than the one sealed to", async () => {
    expect(
      await code(
        receiveAuthRevRes(p, await wrap(revResData(), {}, m.signer("merchantSig")), expected(), merchant()),
      ),
    ).toBe("invalidCertificate");
    const e = await rejection(
      receiveAuthRevRes(
        p,
        await wrap(revResData()),
        { ...expected(), gateway: pki.merchantKex.certificate },
        merchant(),
      ),
    );
    expect([e.code, e.thumb !== undefined]).toEqual(["invalidCertificate", true]);
  });

  it("a tampered AuthRevRes is the generic decryption failure", async () => {
    const res = await sealAuthRevRes(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      revResData(),
      {},
    );
    const value = { ...res, authRevResEnvelope: flip(res.authRevResEnvelope, -2) };
    const bytes = wrapMessage({ type: "authReversalResponse", value }, {}, { date: new Date() });
    const e = await rejection(receiveAuthRevRes(p, bytes, expected(), merchant()));
    expect([e.code, e.message]).toEqual(["decodingFailure", "decodingFailure: decryption failed"]);
  });

  it("an RRPID not ours is unknownRRPID; a header RRPID other than the body's is wrapperMsgMismatch", async () => {
    expect(
      await code(
        receiveAuthRevRes(p, await wrap(revResData()), { ...expected(), authRevRRPID: id(1) }, merchant()),
      ),
    ).toBe("unknownRRPID");
    expect(
      await code(
        receiveAuthRevRes(
          p,
          await wrap(revResData(), {}, undefined, { rrpid: id(1) }),
          expected(),
          merchant(),
        ),
      ),
    ).toBe("wrapperMsgMismatch");
  });

  it("another message type is messageNotSupported", async () => {
    const bytes = await wrapRevReq(revData());
    expect(await code(receiveAuthRevRes(p, bytes, expected(), merchant()))).toBe("messageNotSupported");
  });
});
