import { nodeProvider, openAuthToken, type schema, toHex, wholeSeconds } from "@setlab/protocol";
import type { AuthReqBuilder, BuiltAuthReq } from "../testing/authReqBuilder";
import { type GatewayTestKit, gatewayTestKit } from "../testing/gatewayTestKit";
import type { GatewayBrandKeys } from "./gatewayKeys";

const p = nodeProvider();
const day = 24 * 3600_000;
let kit: GatewayTestKit;
let keys: GatewayBrandKeys[];
let b: AuthReqBuilder;

beforeAll(async () => {
  kit = await gatewayTestKit(p);
  ({ keys, b } = kit);
});
afterAll(() => kit.tmp.cleanup());

const visaTokenKeys = () => {
  const visa = keys.find((k) => k.brand === "Visa")!;
  return { signer: visa.signer, decrypter: visa.decrypter };
};

async function answer(bytes: Uint8Array) {
  const r = await b.read(bytes);
  if (r.type !== "authRes") throw new Error(`expected an AuthRes, got Error ${r.code}`);
  return { header: r.data.authResPayload.authHeader, baggage: r.baggage };
}

const withTerms =
  (terms: schema.InstallRecurData) =>
  (x: { piHead: schema.PIHead }): void => {
    x.piHead = { ...x.piHead, installRecurData: terms };
  };
const installments = (n: number): schema.InstallRecurData => ({
  installRecurInd: { type: "installTotalTrans", value: n },
});
const splitShipment = (x: { authReqData: schema.AuthReqData }) => {
  x.authReqData.authReqItem.authReqPayload.subsequentAuthInd = true;
};

/** The first authorization: approved, its AuthToken returned. */
async function first(
  gw: { handleAuthReq(b: Uint8Array): Promise<{ response: Uint8Array }> },
  req: BuiltAuthReq,
) {
  const r = await answer((await gw.handleAuthReq(req.bytes)).response);
  expect(r.header.authCode).toBe("approved");
  return r.baggage.authToken;
}

describe("gateway: AuthToken issued", () => {
  it("an approval carries no AuthToken unless the merchant asks (SubsequentAuthInd) or the PI has InstallRecurData", async () => {
    const { gw } = kit.gateway();
    expect(await first(gw, await b.build())).toBeUndefined();
    const split = await first(gw, await b.build({ authReqAmount: 5000, merchant: splitShipment }));
    expect(split?.type).toBe("enc");
    const terms = await first(gw, await b.build({ cardholder: withTerms(installments(2)) }));
    expect(terms?.type).toBe("enc");
  });

  it("the token is the gateway's, bound to XID, merchant, purchase amount, what was authorized, and the schedule", async () => {
    const { gw } = kit.gateway();
    const req = await b.build({ amount: 12800, cardholder: withTerms(installments(3)) });
    const token = await first(gw, req);
    const opened = await openAuthToken(p, visaTokenKeys(), token!);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.data.transIDs.xid).toEqual(req.parts.transIDs.xid);
    expect(opened.data.merchantID).toBe("SETLAB-MER-0001");
    expect(opened.data.purchAmt).toEqual({ currency: 392, amount: 12800, amtExp10: 0 });
    expect(opened.data.totalAuthAmount).toEqual({ currency: 392, amount: 12800, amtExp10: 0 });
    expect(opened.data.recurringCount).toBe(1);
    expect(opened.terms).toEqual(installments(3));
    expect(opened.opaque).toEqual({
      authRecordID: toHex(req.parts.authRRPID),
      firstAuthRecordID: toHex(req.parts.authRRPID),
    });
  });
});

describe("gateway: subsequent authorization (split shipment)", () => {
  it("authorizes the parts up to the purchase amount, each with its own hold, linked to the first in the ledger", async () => {
    const { gw, store } = kit.gateway();
    const req = await b.build({ amount: 12800, authReqAmount: 5000, merchant: splitShipment });
    const token1 = await first(gw, req);
    const second = await b.buildSubsequent(req, token1!, { amount: 5000 });
    const r2 = await answer((await gw.handleAuthReq(second.bytes)).response);
    expect(r2.header).toMatchObject({ authCode: "approved", authAmt: { amount: 5000 } });
    expect(r2.baggage.capToken).toBeDefined();
    const third = await b.buildSubsequent(req, r2.baggage.authToken!, { amount: 2800 });
    const r3 = await answer((await gw.handleAuthReq(third.bytes)).response);
    expect(r3.header.authCode).toBe("approved");
    // Nothing of the purchase remains: no further token.
    expect(r3.baggage.authToken).toBeUndefined();
    expect(store.account("visa-approve")?.held).toBe(12800);
    const ledger = store.authorizationsOfPurchase(toHex(req.parts.authRRPID));
    expect(ledger.map((a) => a.held)).toEqual([5000, 5000, 2800]);
    expect(ledger[1].subsequentOf).toEqual({
      firstAuthRRPID: toHex(req.parts.authRRPID),
      spentAuthToken: toHex(req.parts.authRRPID),
    });
    expect(ledger[2].subsequentOf?.spentAuthToken).toBe(
      toHex(second.data.authReqItem.authTags.authRRTags.rrpid),
    );
  });

  it("refuses a token used once already (authTokenRejected) and an amount beyond what remains (amountError), holding nothing", async () => {
    const { gw, store } = kit.gateway();
    const req = await b.build({ amount: 12800, authReqAmount: 5000, merchant: splitShipment });
    const token = (await first(gw, req))!;
    const used = await b.buildSubsequent(req, token, { amount: 1000 });
    const r = await answer((await gw.handleAuthReq(used.bytes)).response);
    expect(r.header.authCode).toBe("approved");
    const held = store.account("visa-approve")?.held;
    const replayed = await b.buildSubsequent(req, token, { amount: 1000 });
    expect((await answer((await gw.handleAuthReq(replayed.bytes)).response)).header.authCode).toBe(
      "authTokenRejected",
    );
    // 12800 - 5000 - 1000 remain.
    const over = await b.buildSubsequent(req, r.baggage.authToken!, { amount: 6801 });
    expect((await answer((await gw.handleAuthReq(over.bytes)).response)).header.authCode).toBe("amountError");
    expect(store.account("visa-approve")?.held).toBe(held);
  });

  it("the same subsequent AuthReq bytes get the same answer, decided once", async () => {
    const { gw, store } = kit.gateway();
    const req = await b.build({ amount: 12800, authReqAmount: 5000, merchant: splitShipment });
    const token = (await first(gw, req))!;
    const second = await b.buildSubsequent(req, token, { amount: 7801 });
    const a = await gw.handleAuthReq(second.bytes);
    const again = await gw.handleAuthReq(second.bytes);
    expect(again.kind).toBe("replay");
    expect(again.response).toEqual(a.response);
    expect((await answer(a.response)).header.authCode).toBe("amountError");
    const within = await b.buildSubsequent(req, token, { amount: 7800 });
    const w1 = await gw.handleAuthReq(within.bytes);
    expect((await gw.handleAuthReq(within.bytes)).response).toEqual(w1.response);
    expect(store.account("visa-approve")?.held).toBe(12800);
  });

  it("survives a restart: a token spent before it stays spent", async () => {
    const file = kit.dbFile();
    const one = kit.gateway({ file });
    const req = await b.build({ amount: 12800, authReqAmount: 5000, merchant: splitShipment });
    const token = (await first(one.gw, req))!;
    await one.gw.handleAuthReq((await b.buildSubsequent(req, token, { amount: 100 })).bytes);
    await one.store.close();
    const two = kit.gateway({ file });
    const again = await b.buildSubsequent(req, token, { amount: 100 });
    expect((await answer((await two.gw.handleAuthReq(again.bytes)).response)).header.authCode).toBe(
      "authTokenRejected",
    );
    await two.store.close();
  });
});

describe("gateway: installments and recurring payments", () => {
  it("three installments: the first by the PI, two by AuthTokens; a fourth by PI is duplicateAuthorization", async () => {
    const { gw, store } = kit.gateway();
    const req = await b.build({ amount: 4000, cardholder: withTerms(installments(3)) });
    const t1 = (await first(gw, req))!;
    const r2 = await answer(
      (
        await gw.handleAuthReq(
          (
            await b.buildSubsequent(req, t1, { amount: 4000, installRecurSeqNum: 2 })
          ).bytes,
        )
      ).response,
    );
    expect(r2.header.authCode).toBe("approved");
    const r3 = await answer(
      (await gw.handleAuthReq((await b.buildSubsequent(req, r2.baggage.authToken!, { amount: 4000 })).bytes))
        .response,
    );
    expect(r3.header.authCode).toBe("approved");
    expect(r3.baggage.authToken).toBeUndefined();
    const again = await b.build({
      amount: 4000,
      cardholder: withTerms(installments(3)),
      xid: req.parts.transIDs.xid,
    });
    expect((await answer((await gw.handleAuthReq(again.bytes)).response)).header.authCode).toBe(
      "duplicateAuthorization",
    );
    expect(store.account("visa-approve")?.held).toBe(12000);
  });

  it("recurring every 30 days: refused before the period, approved after it", async () => {
    let offset = 0;
    const provider = { ...p, now: () => new Date(Date.now() + offset) };
    const { gw, store } = kit.gateway({ provider });
    const terms: schema.InstallRecurData = {
      installRecurInd: {
        type: "recurring",
        value: { recurringFrequency: 30, recurringExpiry: wholeSeconds(new Date(Date.now() + 400 * day)) },
      },
    };
    const req = await b.build({ amount: 1500, cardholder: withTerms(terms) });
    const token = (await first(gw, req))!;
    const early = await b.buildSubsequent(req, token, { amount: 1500 });
    const refused = await answer((await gw.handleAuthReq(early.bytes)).response);
    expect(refused.header.authCode).toBe("authTokenRejected");
    offset = 30 * day + 60_000;
    const due = await b.buildSubsequent(req, token, { amount: 1500, date: provider.now() });
    const ok = await answer((await gw.handleAuthReq(due.bytes)).response);
    expect(ok.header.authCode).toBe("approved");
    expect(ok.baggage.authToken).toBeDefined();
    // The refusal is recorded under its own AuthRRPID; the ledger links what spent the token.
    expect(store.authorization(toHex(early.data.authReqItem.authTags.authRRTags.rrpid))?.authCode).toBe(
      "authTokenRejected",
    );
    expect(store.authorizationsOfPurchase(toHex(req.parts.authRRPID)).map((a) => a.authCode)).toEqual([
      "approved",
      "approved",
    ]);
  });
  it("a lab's schedule clock moved ahead: the period passes for the AuthToken alone, and the token issued then counts from there", async () => {
    let advance = 0;
    const { gw } = kit.gateway({ scheduleAdvanceMs: () => advance });
    const terms: schema.InstallRecurData = {
      installRecurInd: {
        type: "recurring",
        value: { recurringFrequency: 30, recurringExpiry: wholeSeconds(new Date(Date.now() + 400 * day)) },
      },
    };
    const req = await b.build({ amount: 700, cardholder: withTerms(terms) });
    const token = (await first(gw, req))!;
    const early = await b.buildSubsequent(req, token, { amount: 700 });
    expect((await answer((await gw.handleAuthReq(early.bytes)).response)).header.authCode).toBe(
      "authTokenRejected",
    );
    // The header is dated by the real clock: only the schedule's time moved, so the AuthReq is fresh.
    advance = 31 * day;
    const due = await b.buildSubsequent(req, token, { amount: 700 });
    const ok = await answer((await gw.handleAuthReq(due.bytes)).response);
    expect(ok.header.authCode).toBe("approved");
    const next = await openAuthToken(p, visaTokenKeys(), ok.baggage.authToken!);
    if (!next.ok) throw new Error(next.reason);
    expect(next.data.prevAuthDateTime.getTime()).toBeGreaterThan(Date.now() + 30 * day);
    // The second token counts its period from the moved time: the same advance is too early for it.
    const third = await b.buildSubsequent(req, ok.baggage.authToken!, { amount: 700 });
    expect((await answer((await gw.handleAuthReq(third.bytes)).response)).header.authCode).toBe(
      "authTokenRejected",
    );
  });
});
