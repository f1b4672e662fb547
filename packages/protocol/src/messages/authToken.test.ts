import { nodeProvider } from "../crypto/provider";
import type { CurrencyAmount } from "../schema/common";
import type { AuthToken, AuthTokenData } from "../schema/payment";
import type { InstallRecurData } from "../schema/purchase";
import { createTestPki, type TestPki } from "../testing/pki";
import { type AuthTokenKeys, openAuthToken, sealAuthToken } from "./authToken";
import { type AuthTokenTerms, firstAuthTokenTerms, nextAuthTokenTerms } from "./authTokenSchedule";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { receiveAuthReq } from "./receiveAuthReq";
import { sealSubsequentAuthReq, subsequentAuthReqData } from "./subsequentAuthReq";
import { wrapMessage } from "./wrapper";

const p = nodeProvider();
const merID = "SETLAB-MER-0001";
const usd = (amount: number): CurrencyAmount => ({ currency: 840, amount, amtExp10: -2 });
const id = (n: number) => new Uint8Array(20).fill(n);
const day = 24 * 3600_000;
// The schedule is judged at the receiver's clock, which also judges the header date: t0 is a
// month before the test runs.
const t0 = new Date(Math.floor((Date.now() - 31 * 24 * 3600_000) / 1000) * 1000);
const installments = (n: number): InstallRecurData => ({
  installRecurInd: { type: "installTotalTrans", value: n },
});
const monthly = (expiry: Date): InstallRecurData => ({
  installRecurInd: { type: "recurring", value: { recurringFrequency: 30, recurringExpiry: expiry } },
});

let pki: TestPki;
let m: MessageFixture;
let keys: AuthTokenKeys;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  keys = { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") };
});

const first = (over: Partial<Parameters<typeof firstAuthTokenTerms>[0]> = {}) =>
  firstAuthTokenTerms({
    transIDs: m.f.order.transIDs,
    purchAmt: usd(10000),
    merchantID: merID,
    subsequentAuthInd: true,
    authAmt: usd(4000),
    at: t0,
    ...over,
  });

async function tokenOf(terms: AuthTokenTerms | undefined, authRecordID = "auth-1"): Promise<AuthToken> {
  if (!terms) throw new Error("no token");
  return sealAuthToken(p, keys, terms, { authRecordID, firstAuthRecordID: "auth-1" });
}

describe("AuthToken", () => {
  it("opens with the gateway's keys and gives back what it bound, terms decoded", async () => {
    const token = await tokenOf(first({ terms: installments(3) }));
    expect(token.type).toBe("enc");
    const opened = await openAuthToken(p, keys, token);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.data.merchantID).toBe(merID);
    expect(opened.data.recurringCount).toBe(1);
    expect(opened.data.totalAuthAmount).toEqual(usd(4000));
    expect(opened.terms).toEqual(installments(3));
    expect(opened.opaque).toEqual({ authRecordID: "auth-1", firstAuthRecordID: "auth-1" });
  });

  it("the merchant cannot open it; a forged (merchant-signed), tampered or EncX token is refused", async () => {
    const token = await tokenOf(first());
    expect(await openAuthToken(p, { ...keys, decrypter: m.decrypter("merchantKex") }, token)).toMatchObject({
      ok: false,
    });
    const forged = await sealAuthToken(p, { ...keys, signer: m.signer("merchantSig") }, first()!, {
      authRecordID: "auth-1",
      firstAuthRecordID: "auth-1",
    });
    expect(await openAuthToken(p, keys, forged)).toMatchObject({
      ok: false,
    });
    const value = (token as { value: Uint8Array }).value;
    expect(await openAuthToken(p, keys, { type: "enc", value: flip(value, -3) })).toMatchObject({
      ok: false,
    });
    expect(await openAuthToken(p, keys, { type: "encX", value })).toMatchObject({ ok: false });
  });
});

describe("the AuthToken's schedule", () => {
  it("no token without SubsequentAuthInd or terms, nor when the first authorization takes everything", () => {
    expect(first({ subsequentAuthInd: false })).toBeUndefined();
    expect(first({ authAmt: usd(10000) })).toBeUndefined();
    expect(first({ subsequentAuthInd: false, terms: installments(2) })).toBeDefined();
  });

  it("split shipment: the next token adds up what was authorized and stops when nothing remains", () => {
    const a = first()! as AuthTokenData;
    const b = nextAuthTokenTerms(a, undefined, usd(5000), new Date(t0.getTime() + day))!;
    expect(b).toMatchObject({ recurringCount: 2, totalAuthAmount: usd(9000) });
    expect(nextAuthTokenTerms(b as AuthTokenData, undefined, usd(1000), t0)).toBeUndefined();
  });

  it("installments: as many tokens as installments remain; recurring: while the next period starts before the expiry", () => {
    const three = first({ terms: installments(3) })! as AuthTokenData;
    const second = nextAuthTokenTerms(three, installments(3), usd(4000), t0)!;
    expect(second.recurringCount).toBe(2);
    expect(nextAuthTokenTerms(second as AuthTokenData, installments(3), usd(4000), t0)).toBeUndefined();
    expect(first({ terms: monthly(new Date(t0.getTime() + 29 * day)) })).toBeUndefined();
    expect(first({ terms: monthly(new Date(t0.getTime() + 30 * day)) })).toBeDefined();
  });
});

describe("receiveAuthReq, the subsequent form (PI = AuthToken)", () => {
  const receiver = (over: Record<string, unknown> = {}) => ({
    brand: "Visa",
    gatewayKex: m.decrypter("gatewayKex"),
    trust: m.trust,
    now: new Date(t0.getTime() + 31 * day),
    cardCertRequired: true,
    hardenedRequired: false,
    enrolledMerIDs: [merID],
    authTokenKeys: keys,
    authTokenSpent: (authRecordID: string) => authRecordID === "spent",
    ...over,
  });
  const wrap = async (
    token: AuthToken,
    over: Partial<Parameters<typeof subsequentAuthReqData>[0]> = {},
    at = new Date(t0.getTime() + 31 * day),
  ) => {
    const data = subsequentAuthReqData({
      merchantID: merID,
      authRRPID: id(0x51),
      date: new Date(Date.UTC(2026, 11, 2)),
      transIDs: m.f.order.transIDs,
      authReqAmt: usd(3000),
      ...over,
    });
    const authReq = await sealSubsequentAuthReq(p, m.authSigner(), pki.gatewayKex.certificate, data, token);
    const tags = data.authReqItem.authTags;
    return wrapMessage(
      { type: "authorizationRequest", value: authReq },
      {
        rrpid: tags.authRRTags.rrpid,
        lid_C: tags.transIDs.lid_C,
        xid: tags.transIDs.xid,
        ...(tags.transIDs.lid_M ? { lid_M: tags.transIDs.lid_M } : {}),
      },
      { date: at },
    );
  };
  const outcomeOf = async (bytes: Uint8Array | Promise<Uint8Array>, over: Record<string, unknown> = {}) => {
    const r = await receiveAuthReq(p, await bytes, receiver(over));
    if (r.repeat) throw new Error("not new");
    return r.outcome;
  };

  it("a good token within what remains is a subsequent authorization, with what the token bound", async () => {
    const outcome = await outcomeOf(await wrap(await tokenOf(first())));
    expect(outcome).toMatchObject({ kind: "subsequent", opaque: { firstAuthRecordID: "auth-1" } });
  });

  it("refuses a token from another merchant and one of another transaction (authTokenRejected)", async () => {
    const other = await tokenOf(first({ merchantID: "SETLAB-MER-0002" }));
    expect(await outcomeOf(await wrap(other))).toMatchObject({
      authCode: "authTokenRejected",
      reason: expect.stringMatching(/another merchant/),
    });
    const otherTx = await tokenOf(first({ transIDs: { ...m.f.order.transIDs, xid: id(9) } }));
    expect(await outcomeOf(await wrap(otherTx))).toMatchObject({
      authCode: "authTokenRejected",
      reason: expect.stringMatching(/another transaction/),
    });
  });

  it("refuses a token already spent, a forged one, and any token where the gateway takes none", async () => {
    expect(await outcomeOf(await wrap(await tokenOf(first(), "spent")))).toMatchObject({
      authCode: "authTokenRejected",
      reason: expect.stringMatching(/already used/),
    });
    const forged = await sealAuthToken(p, { ...keys, signer: m.signer("merchantSig") }, first()!, {
      authRecordID: "x",
      firstAuthRecordID: "x",
    });
    expect(await outcomeOf(await wrap(forged))).toMatchObject({ authCode: "authTokenRejected" });
    expect(await outcomeOf(await wrap(await tokenOf(first())), { authTokenKeys: undefined })).toMatchObject({
      authCode: "authTokenRejected",
    });
  });

  it("refuses an amount beyond what remains, or in another currency (amountError)", async () => {
    const token = await tokenOf(first());
    expect(await outcomeOf(await wrap(token, { authReqAmt: usd(6001) }))).toMatchObject({
      authCode: "amountError",
      reason: expect.stringMatching(/remains/),
    });
    expect(await outcomeOf(await wrap(token, { authReqAmt: usd(6000) }))).toMatchObject({
      kind: "subsequent",
    });
    expect(
      await outcomeOf(await wrap(token, { authReqAmt: { currency: 978, amount: 10, amtExp10: -2 } })),
    ).toMatchObject({ authCode: "amountError" });
  });

  it("installments: refuses one beyond the count, one over PurchAmt, a wrong InstallRecurSeqNum", async () => {
    const three = first({ terms: installments(3) })! as AuthTokenData;
    const last = nextAuthTokenTerms(three, installments(3), usd(4000), t0)!;
    // A token that (wrongly) allowed a fourth: the count it carries is what is judged.
    const fourth = await tokenOf({ ...last, recurringCount: 3 });
    expect(await outcomeOf(await wrap(fourth))).toMatchObject({
      authCode: "authTokenRejected",
      reason: expect.stringMatching(/3 installments/),
    });
    const token = await tokenOf(three);
    expect(await outcomeOf(await wrap(token, { authReqAmt: usd(10001) }))).toMatchObject({
      authCode: "amountError",
    });
    expect(await outcomeOf(await wrap(token, { installRecurSeqNum: 3 }))).toMatchObject({
      authCode: "authTokenRejected",
    });
    expect(
      await outcomeOf(await wrap(token, { installRecurSeqNum: 2, authReqAmt: usd(10000) })),
    ).toMatchObject({ kind: "subsequent" });
  });

  it("recurring: refuses a payment before its frequency and one after the expiry", async () => {
    const token = await tokenOf(first({ terms: monthly(new Date(t0.getTime() + 365 * day)) }));
    expect(
      await outcomeOf(await wrap(token, {}, new Date(t0.getTime() + 29 * day)), {
        now: new Date(t0.getTime() + 29 * day),
      }),
    ).toMatchObject({
      authCode: "authTokenRejected",
      reason: expect.stringMatching(/once every 30 days/),
    });
    expect(
      await outcomeOf(await wrap(token, {}, new Date(t0.getTime() + 30 * day)), {
        now: new Date(t0.getTime() + 30 * day),
      }),
    ).toMatchObject({
      kind: "subsequent",
    });
    expect(
      await outcomeOf(await wrap(token, {}, new Date(t0.getTime() + 366 * day)), {
        now: new Date(t0.getTime() + 366 * day),
      }),
    ).toMatchObject({
      authCode: "authTokenRejected",
      reason: expect.stringMatching(/expired/),
    });
  });

  it("AuthRRTags naming another merchant than the signer is merchantMismatch", async () => {
    expect(
      await outcomeOf(await wrap(await tokenOf(first()), { merchantID: "SETLAB-MER-0002" })),
    ).toMatchObject({ authCode: "merchantMismatch" });
  });

  it("the header date is still checked (messageTooOld) before the token is judged", async () => {
    const e = await rejection(
      receiveAuthReq(
        p,
        await wrap(await tokenOf(first())),
        receiver({ now: new Date(t0.getTime() + 32 * day) }),
      ),
    );
    expect(e.code).toBe("messageTooOld");
  });
});
