import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { errorMessage, nodeProvider, SetError, schema, signInqRes, wrapMessage } from "@setlab/protocol";
import { createTestPki, defaultMerchantData, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { SqliteRepository } from "../store/sqliteRepository";
import { errorCodeOf } from "../testing/errorCode";
import { GatewayFunction } from "../testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes, readPRes } from "../testing/testCard";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import { Merchant, maxRecordedErrors } from "./merchant";
import type { Order } from "./order";

const p = nodeProvider();
let pki: TestPki;
let dir: string;
let n = 0;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-core-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup(options: { cardCertRequired?: boolean; db?: string; pki?: TestPki } = {}) {
  const repo = closedAtEnd(new SqliteRepository(options.db ?? path.join(dir, `m${++n}.db`)));
  const gateway = new GatewayFunction(p, options.pki ?? pki);
  const merchant = new Merchant({
    p,
    repo,
    config: testMerchantConfig(options.pki ?? pki, options.cardCertRequired),
    gateway,
  });
  return { repo, gateway, merchant };
}

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

async function initiated(merchant: Merchant, order?: Order, under: TestPki = pki) {
  const o = order ?? (await merchant.createOrder({ description, ...purchAmt }));
  const session = pInitReq(p, o.lidM);
  const out = await merchant.handleSet(session.pInitReq);
  const verified = await readPInitRes(p, kitOf(under), session, out.response);
  return { order: o, session, out, data: verified };
}

async function types(merchant: Merchant, id: number) {
  return (await merchant.messages(id)).map((m) => `${m.from}>${m.to}:${m.type}`);
}

describe("merchant core: a purchase", () => {
  test("PInitReq -> PInitRes the card accepts; PReq -> a real AuthReq; approved -> PRes authorizationPerformed", async () => {
    const { merchant, gateway } = setup();
    const { order, session, data } = await initiated(merchant);
    expect(data.data.transIDs.lid_M && Buffer.from(data.data.transIDs.lid_M).toString()).toBe(order.lidM);
    expect((await merchant.order(order.id))?.state).toBe("initiated");

    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
    const out = await merchant.handleSet(req.der);
    expect(out.error).toBeUndefined();
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.rrpid).toEqual(req.oiData.rrpid);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    expect(pRes.pResPayloadSeq[0].results?.authStatus?.authAmt).toEqual(purchAmt);

    // The gateway opened the AuthReq and the PI with every check: the AuthReq says what we meant.
    expect(gateway.received).toHaveLength(1);
    const item = gateway.received[0].authReq.data.authReqItem;
    expect(item.authTags.authRRTags.merTermIDs.merchantID).toBe(defaultMerchantData.merID);
    expect(item.authTags.transIDs.xid).toEqual(data.data.transIDs.xid);
    expect(item.authReqPayload.authReqAmt).toEqual(purchAmt);
    expect(gateway.received[0].authReq.data.captureNow).toBe(false);
    expect(gateway.received[0].pi?.cardholderCertificate).toBeDefined();

    const view = await merchant.orderView(order.id);
    expect(view?.state).toBe("authorized");
    expect(view?.history.map((h) => h.state)).toEqual([
      "created",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "authorized",
    ]);
    expect(view?.authorization?.authCode).toBe("approved");
    expect(view?.authorization?.approvalCode).toBe("A1B2C3");
    expect(await types(merchant, order.id)).toEqual([
      "cardholder>merchant:purchaseInitRequest",
      "merchant>cardholder:purchaseInitResponse",
      "cardholder>merchant:purchaseRequest",
      "merchant>gateway:authorizationRequest",
      "gateway>merchant:authorizationResponse",
      "merchant>cardholder:purchaseResponse",
    ]);
  });

  test("declined -> PRes orderRejected without AuthStatus, order declined", async () => {
    const { merchant, gateway } = setup();
    gateway.mode = "decline";
    const { order, session, data } = await initiated(merchant);
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der,
    );
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderRejected");
    expect(pRes.pResPayloadSeq[0].results?.authStatus).toBeUndefined();
    expect((await merchant.orderView(order.id))?.state).toBe("declined");
    expect((await merchant.orderView(order.id))?.authorization?.authCode).toBe("declined");
  });

  test("approved for less than asked -> order partiallyAuthorized, PRes AuthStatus with the AuthAmt approved, not the amount asked", async () => {
    const { merchant, gateway } = setup();
    gateway.mode = "partial";
    const { order, session, data } = await initiated(merchant);
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der,
    );
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    expect(pRes.pResPayloadSeq[0].results?.authStatus?.authAmt).toEqual({ ...purchAmt, amount: 6400 });
    const view = await merchant.orderView(order.id);
    expect(view?.state).toBe("partiallyAuthorized");
    expect(view?.history.at(-1)?.detail).toMatch(/partially approved: AuthAmt 6400e0/);
  });

  test("approved for 0 -> declined: PRes orderRejected, order declined", async () => {
    const { merchant, gateway } = setup();
    gateway.mode = "approveNothing";
    const { order, session, data } = await initiated(merchant);
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der,
    );
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderRejected");
    expect(pRes.pResPayloadSeq[0].results?.authStatus).toBeUndefined();
    expect((await merchant.orderView(order.id))?.state).toBe("declined");
  });

  test.each([
    ["down", "unreachable"],
    ["error", "SET Error: signatureFailure"],
    ["overAmount", "exceeds"],
  ] as const)("gateway %s -> PRes orderReceived, order authorizationFailed", async (mode, reason) => {
    const { merchant, gateway } = setup();
    gateway.mode = mode;
    const { order, session, data } = await initiated(merchant);
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der,
    );
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderReceived");
    const view = await merchant.orderView(order.id);
    expect(view?.state).toBe("authorizationFailed");
    expect(view?.authorization?.failure).toContain(reason);
    expect(view?.history.at(-1)?.detail).toContain(reason);
  });

  test.each([
    ["garbage", "AuthRes"],
    ["wrongRRPID", "rrpid"],
    ["wrongXID", "xid"],
  ] as const)("gateway %s -> PRes orderReceived, order in doubt until settled", async (mode, reason) => {
    const { merchant, gateway } = setup();
    gateway.mode = mode;
    const { order, session, data } = await initiated(merchant);
    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
    const out = await merchant.handleSet(req.der);
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderReceived");
    const view = await merchant.orderView(order.id);
    expect(view?.state).toBe("authorizing");
    expect(view?.authorization?.inDoubt).toBe(true);
    expect(view?.authorization?.failure).toContain(reason);

    // Still unusable: the doubt stays; the cardholder's repeat gets the same PRes.
    expect(await merchant.settleInDoubt()).toEqual([{ orderId: order.id, state: "authorizing" }]);
    const again = await merchant.handleSet(req.der);
    expect(Buffer.from(again.response).equals(Buffer.from(out.response))).toBe(true);

    gateway.mode = "approve";
    expect(await merchant.settleInDoubt()).toEqual([{ orderId: order.id, state: "authorized" }]);
    expect((await merchant.orderView(order.id))?.state).toBe("authorized");
    expect(await merchant.settleInDoubt()).toEqual([]);
  });

  test("unsigned PReq accepted where the brand allows it (cardCertRequired false)", async () => {
    const { merchant, gateway } = setup({ cardCertRequired: false });
    const { order, session, data } = await initiated(merchant);
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description, purchAmt, form: "unsigned" })).der,
    );
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    expect(gateway.received[0].authReq.pi.type).toBe("piUnsigned");
    expect((await merchant.order(order.id))?.state).toBe("authorized");
  });
});

describe("merchant core: the brand's cardCertRequired", () => {
  test("configuration false, the gateway certificate's extension true: required (configuration only tightens)", async () => {
    const strict = await createTestPki(p, { cardCertRequired: true });
    const { merchant, gateway } = setup({ cardCertRequired: false, pki: strict });
    const { order, session, data } = await initiated(merchant, undefined, strict);
    expect(merchant.initiationFor(order, "http://127.0.0.1:1").unsignedAllowed).toEqual([]);
    const req = await pReq(p, kitOf(strict), session, data, { description, purchAmt, form: "unsigned" });
    expect(await errorCodeOf(p, (await merchant.handleSet(req.der)).response)).toBe("signatureRequired");
    expect(gateway.calls).toBe(0);
  });

  test("the extension false (or absent) leaves it to configuration", async () => {
    const { merchant } = setup({ cardCertRequired: false });
    const order = await merchant.createOrder({ description, ...purchAmt });
    expect(merchant.initiationFor(order, "http://127.0.0.1:1").unsignedAllowed).toEqual(["Visa"]);
    const strict = setup({ cardCertRequired: true }).merchant;
    expect(strict.initiationFor(order, "http://127.0.0.1:1").unsignedAllowed).toEqual([]);
  });
});

describe("merchant core: idempotency", () => {
  test("the same PReq twice, and twice at once: the same PRes bytes and one AuthReq", async () => {
    const { merchant, gateway } = setup();
    const { session, data } = await initiated(merchant);
    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
    const [a, b] = await Promise.all([merchant.handleSet(req.der), merchant.handleSet(req.der)]);
    const c = await merchant.handleSet(req.der);
    expect(Buffer.from(b.response).equals(Buffer.from(a.response))).toBe(true);
    expect(Buffer.from(c.response).equals(Buffer.from(a.response))).toBe(true);
    expect(c.replayed).toBe(true);
    expect(gateway.calls).toBe(1);
  });

  test("the same PInitReq twice: the same PInitRes; another PInitReq with that RRPID: unknownRRPID", async () => {
    const { merchant } = setup();
    const { order, session, out } = await initiated(merchant);
    const again = await merchant.handleSet(session.pInitReq);
    expect(Buffer.from(again.response).equals(Buffer.from(out.response))).toBe(true);
    const other = pInitReq(p, order.lidM);
    const req = schema.decodeMessage(other.pInitReq).message.value as schema.PInitReq;
    const reused = wrapMessage(
      { type: "purchaseInitRequest", value: { ...req, rrpid: session.rrpid } },
      { rrpid: session.rrpid },
      { date: p.now() },
    );
    expect(await errorCodeOf(p, (await merchant.handleSet(reused)).response)).toBe("unknownRRPID");
  });

  test("a second PReq (new RRPID) for an XID already authorized is refused; no second AuthReq", async () => {
    const { merchant, gateway } = setup();
    const { session, data } = await initiated(merchant);
    await merchant.handleSet((await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der);
    const second = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der,
    );
    expect(await errorCodeOf(p, second.response)).toBe("unspecifiedFailure");
    expect(gateway.calls).toBe(1);
  });

  test("an authorization interrupted by a restart is resumed with the stored AuthReq bytes", async () => {
    const db = path.join(dir, "restart.db");
    const first = setup({ db });
    first.gateway.send = () => new Promise<Uint8Array>(() => {}); // the process "stops" while waiting
    const { order, session, data } = await initiated(first.merchant);
    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
    void first.merchant.handleSet(req.der);
    for (let i = 0; i < 200 && (await first.repo.order(order.id))?.state !== "authorizing"; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await first.repo.order(order.id))?.state).toBe("authorizing");

    const second = setup({ db });
    const out = await second.merchant.handleSet(req.der);
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    const sent = (await second.merchant.messages(order.id)).filter((m) => m.type === "authorizationRequest");
    expect(sent).toHaveLength(1);
    expect(Buffer.from(second.gateway.received[0].der).equals(Buffer.from(sent[0].der))).toBe(true);
  });
});

describe("merchant core: no one but the buyer decides whether an order is paid", () => {
  test("a stranger's PInitReq does not lock the order: the buyer's PInitReq gets a new XID and pays; the stranger's XID is then refused", async () => {
    const { merchant, gateway } = setup();
    const stranger = await initiated(merchant);
    const buyer = await initiated(merchant, stranger.order);
    expect(buyer.out.error).toBeUndefined();
    expect(buyer.data.data.transIDs.xid).not.toEqual(stranger.data.data.transIDs.xid);
    const paid = await merchant.handleSet(
      (await pReq(p, kitOf(pki), buyer.session, buyer.data, { description, purchAmt })).der,
    );
    expect(paid.error).toBeUndefined();
    expect((await merchant.order(buyer.order.id))?.state).toBe("authorized");
    const late = await merchant.handleSet(
      (await pReq(p, kitOf(pki), stranger.session, stranger.data, { description, purchAmt })).der,
    );
    expect(await errorCodeOf(p, late.response)).toBe("unspecifiedFailure");
    expect(gateway.calls).toBe(1);
    expect((await merchant.orderView(buyer.order.id))?.history.map((h) => h.state)).toEqual([
      "created",
      "initiated",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "authorized",
    ]);
  });

  test("PInitReqs a stranger sends between the buyer's PInitReq and PReq do not turn the buyer's PReq away", async () => {
    const { merchant, gateway } = setup();
    const buyer = await initiated(merchant);
    for (let i = 0; i < 5; i++) expect((await initiated(merchant, buyer.order)).out.error).toBeUndefined();
    const paid = await merchant.handleSet(
      (await pReq(p, kitOf(pki), buyer.session, buyer.data, { description, purchAmt })).der,
    );
    expect(paid.error).toBeUndefined();
    const now = await merchant.order(buyer.order.id);
    expect(now?.state).toBe("authorized");
    // The order is known by the XID the buyer's PReq took, which is the one the gateway saw.
    const xid = Buffer.from(buyer.data.data.transIDs.xid).toString("hex");
    expect(now?.xid).toBe(xid);
    expect(
      Buffer.from(gateway.received[0].authReq.data.authReqItem.authTags.transIDs.xid).toString("hex"),
    ).toBe(xid);
  });

  test("an XID whose PInitRes has expired is unknownXID; a fresh PInitReq pays", async () => {
    const repo = closedAtEnd(new SqliteRepository(path.join(dir, `m${++n}.db`)));
    const config = { ...testMerchantConfig(pki), pInitResLifetimeMs: 10 * 60_000 };
    const early = new Merchant({ p, repo, config, gateway: new GatewayFunction(p, pki) });
    const first = await initiated(early);
    // The same store eleven minutes later: within the header date's skew, past the XID's lifetime.
    const later = Object.create(p, { now: { value: () => new Date(Date.now() + 11 * 60_000) } });
    const merchant = new Merchant({ p: later, repo, config, gateway: new GatewayFunction(p, pki) });
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), first.session, first.data, { description, purchAmt })).der,
    );
    expect(await errorCodeOf(p, out.response)).toBe("unknownXID");
    expect((await merchant.order(first.order.id))?.state).toBe("initiated");
    const again = await initiated(merchant, first.order);
    const paid = await merchant.handleSet(
      (await pReq(p, kitOf(pki), again.session, again.data, { description, purchAmt })).der,
    );
    expect(paid.error).toBeUndefined();
    expect((await merchant.order(first.order.id))?.state).toBe("authorized");
  });

  test("a declined unsigned PReq does not close the order: the buyer's own PReq, under its own XID, pays", async () => {
    const { merchant, gateway } = setup({ cardCertRequired: false });
    const buyer = await initiated(merchant);
    const stranger = await initiated(merchant, buyer.order);
    gateway.mode = "decline";
    const junk = await merchant.handleSet(
      (
        await pReq(p, kitOf(pki), stranger.session, stranger.data, {
          description,
          purchAmt,
          form: "unsigned",
        })
      ).der,
    );
    expect(junk.state).toBe("declined");
    // A PInitReq after the decline: the order still shows the XID the gateway declined.
    expect((await initiated(merchant, buyer.order)).out.error).toBeUndefined();
    const junkXid = Buffer.from(stranger.data.data.transIDs.xid).toString("hex");
    expect(junk.xid).toBe(junkXid);
    expect((await merchant.order(buyer.order.id))?.xid).toBe(junkXid);
    gateway.mode = "approve";
    const paid = await merchant.handleSet(
      (await pReq(p, kitOf(pki), buyer.session, buyer.data, { description, purchAmt })).der,
    );
    expect(paid.error).toBeUndefined();
    expect(paid.state).toBe("authorized");
    expect(gateway.calls).toBe(2);
    const history = (await merchant.orderView(buyer.order.id))?.history.map((h) => h.state);
    expect(history).toEqual([
      "created",
      "initiated",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "declined",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "authorized",
    ]);
    // Paid once: neither a new PInitReq nor the declined XID again moves it.
    expect(
      await errorCodeOf(p, (await merchant.handleSet(pInitReq(p, buyer.order.lidM).pInitReq)).response),
    ).toBe("unspecifiedFailure");
    expect(gateway.calls).toBe(2);
  });

  test("unsigned attempts share a budget; when it is spent, the buyer's signed PReq still pays", async () => {
    const { merchant, gateway } = setup({ cardCertRequired: false });
    const order = await merchant.createOrder({ description, ...purchAmt });
    gateway.mode = "decline";
    for (let i = 0; i < 3; i++) {
      const s = await initiated(merchant, order);
      const out = await merchant.handleSet(
        (await pReq(p, kitOf(pki), s.session, s.data, { description, purchAmt, form: "unsigned" })).der,
      );
      expect(out.state).toBe("declined");
    }
    const fourth = await initiated(merchant, order);
    const refused = await merchant.handleSet(
      (await pReq(p, kitOf(pki), fourth.session, fourth.data, { description, purchAmt, form: "unsigned" }))
        .der,
    );
    expect(await errorCodeOf(p, refused.response)).toBe("signatureRequired");
    expect(gateway.calls).toBe(3);
    gateway.mode = "approve";
    const signed = await initiated(merchant, order);
    const paid = await merchant.handleSet(
      (await pReq(p, kitOf(pki), signed.session, signed.data, { description, purchAmt })).der,
    );
    expect(paid.state).toBe("authorized");
  });

  test("a cardholder certificate has its own budget of attempts", async () => {
    const { merchant, gateway } = setup();
    const order = await merchant.createOrder({ description, ...purchAmt });
    gateway.mode = "decline";
    for (let i = 0; i < 3; i++) {
      const s = await initiated(merchant, order);
      const out = await merchant.handleSet(
        (await pReq(p, kitOf(pki), s.session, s.data, { description, purchAmt })).der,
      );
      expect(out.state).toBe("declined");
    }
    const fourth = await initiated(merchant, order);
    const refused = await merchant.handleSet(
      (await pReq(p, kitOf(pki), fourth.session, fourth.data, { description, purchAmt })).der,
    );
    expect(await errorCodeOf(p, refused.response)).toBe("unspecifiedFailure");
    expect(refused.state).toBe("initiated");
    expect(gateway.calls).toBe(3);
  });

  test("after a gateway Error the order is payable again; after an AuthAmt over the ask it is not", async () => {
    const { merchant, gateway } = setup();
    const first = await initiated(merchant);
    gateway.mode = "error";
    const failed = await merchant.handleSet(
      (await pReq(p, kitOf(pki), first.session, first.data, { description, purchAmt })).der,
    );
    expect(failed.state).toBe("authorizationFailed");
    expect((await merchant.order(first.order.id))?.authorization?.authorizedNothing).toBe(true);
    gateway.mode = "overAmount";
    const second = await initiated(merchant, first.order);
    expect(second.out.error).toBeUndefined();
    const over = await merchant.handleSet(
      (await pReq(p, kitOf(pki), second.session, second.data, { description, purchAmt })).der,
    );
    expect(over.state).toBe("authorizationFailed");
    expect((await merchant.order(first.order.id))?.authorization?.authorizedNothing).toBeUndefined();
    const third = await merchant.handleSet(pInitReq(p, first.order.lidM).pInitReq);
    expect(await errorCodeOf(p, third.response)).toBe("unspecifiedFailure");
    expect(gateway.calls).toBe(2);
  });

  test("a refused PReq leaves the order payable: a new PInitReq and PReq authorize it", async () => {
    const { merchant } = setup();
    const first = await initiated(merchant);
    const bad = await pReq(p, kitOf(pki), first.session, first.data, {
      description,
      purchAmt: { ...purchAmt, amount: 1 },
    });
    expect(await errorCodeOf(p, (await merchant.handleSet(bad.der)).response)).toBe("signatureFailure");
    expect((await merchant.order(first.order.id))?.state).toBe("initiated");
    const again = await initiated(merchant, first.order);
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), again.session, again.data, { description, purchAmt })).der,
    );
    expect(out.error).toBeUndefined();
    expect((await merchant.order(first.order.id))?.state).toBe("authorized");
  });

  test("once a PReq was taken, a PInitReq is refused and the order keeps its XID", async () => {
    const { merchant } = setup();
    const { order, session, data } = await initiated(merchant);
    await merchant.handleSet((await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der);
    const late = await merchant.handleSet(pInitReq(p, order.lidM).pInitReq);
    expect(await errorCodeOf(p, late.response)).toBe("unspecifiedFailure");
    const now = await merchant.order(order.id);
    expect(now?.state).toBe("authorized");
    expect(now?.xid).toBe(Buffer.from(data.data.transIDs.xid).toString("hex"));
  });
});

describe("merchant core: refusals are SET Errors", () => {
  test("PInitReq for an unknown LID-M -> unknownLID", async () => {
    const { merchant } = setup();
    const out = await merchant.handleSet(pInitReq(p, "order-999").pInitReq);
    expect(await errorCodeOf(p, out.response)).toBe("unknownLID");
  });

  test("PReq for an unknown XID -> unknownXID", async () => {
    const { merchant } = setup();
    const { session, data } = await initiated(merchant);
    const forged = {
      ...data,
      data: { ...data.data, transIDs: { ...data.data.transIDs, xid: new Uint8Array(20).fill(7) } },
    };
    const out = await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, forged, { description, purchAmt })).der,
    );
    expect(await errorCodeOf(p, out.response)).toBe("unknownXID");
  });

  test("PReq with another Chall-M -> challengeMismatch, recorded with the order, which stays initiated", async () => {
    const { merchant, gateway } = setup();
    const { order, session, data } = await initiated(merchant);
    const req = await pReq(p, kitOf(pki), session, data, {
      description,
      purchAmt,
      chall_M: new Uint8Array(20).fill(1),
    });
    const out = await merchant.handleSet(req.der);
    expect(await errorCodeOf(p, out.response)).toBe("challengeMismatch");
    expect((await merchant.order(order.id))?.state).toBe("initiated");
    expect((await types(merchant, order.id)).slice(-2)).toEqual([
      "cardholder>merchant:purchaseRequest",
      "merchant>cardholder:error",
    ]);
    expect(gateway.calls).toBe(0);
  });

  test("PReq over another amount (HOD mismatch) -> signatureFailure", async () => {
    const { merchant, gateway } = setup();
    const { session, data } = await initiated(merchant);
    const req = await pReq(p, kitOf(pki), session, data, {
      description,
      purchAmt: { ...purchAmt, amount: 1 },
    });
    expect(await errorCodeOf(p, (await merchant.handleSet(req.der)).response)).toBe("signatureFailure");
    expect(gateway.calls).toBe(0);
  });

  test("unsigned PReq for Visa (cardCertRequired) -> signatureRequired", async () => {
    const { merchant, gateway } = setup();
    const { session, data } = await initiated(merchant);
    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt, form: "unsigned" });
    expect(await errorCodeOf(p, (await merchant.handleSet(req.der)).response)).toBe("signatureRequired");
    expect(gateway.calls).toBe(0);
  });

  test("PInitReq for a brand the merchant does not take -> unspecifiedFailure; order stays created", async () => {
    const { merchant } = setup();
    const order = await merchant.createOrder({ description, ...purchAmt });
    const out = await merchant.handleSet(pInitReq(p, order.lidM, { brandID: "Amex" }).pInitReq);
    expect(await errorCodeOf(p, out.response)).toBe("unspecifiedFailure");
    expect((await merchant.order(order.id))?.state).toBe("created");
  });

  test("garbage -> decodingFailure; a message a merchant does not take -> messageNotSupported", async () => {
    const { merchant } = setup();
    expect(await errorCodeOf(p, (await merchant.handleSet(Uint8Array.of(0x30, 0x03, 1, 2))).response)).toBe(
      "decodingFailure",
    );
    expect(await errorCodeOf(p, (await merchant.handleSet(new Uint8Array(0))).response)).toBe(
      "decodingFailure",
    );
    const inq: schema.InqReqData = {
      transIDs: { lid_C: Uint8Array.of(1), xid: new Uint8Array(20), pReqDate: new Date(0), language: "en" },
      rrpid: new Uint8Array(20),
      chall_C2: new Uint8Array(20),
    };
    const der = wrapMessage(
      { type: "inquiryRequest", value: { type: "inqReqUnsigned", value: inq } },
      {},
      { date: p.now() },
    );
    // An InqReq is taken (inquiry.test.ts); about an XID no order has, it is unknownXID.
    expect(await errorCodeOf(p, (await merchant.handleSet(der)).response)).toBe("unknownXID");
    const signer = { certificate: pki.merchantSig.certificate, privateKey: pki.merchantSig.privateKey };
    const answer = await signInqRes(p, signer, {
      transIDs: inq.transIDs,
      rrpid: inq.rrpid,
      chall_C: inq.chall_C2,
      pResPayloadSeq: [{ completionCode: "orderReceived" }],
    });
    const inqRes = wrapMessage({ type: "inquiryResponse", value: answer }, {}, { date: p.now() });
    expect(await errorCodeOf(p, (await merchant.handleSet(inqRes)).response)).toBe("messageNotSupported");
  });

  test("an incoming Error is never answered with an Error: empty answer, recorded with its order", async () => {
    const { merchant } = setup();
    const { order, out: pInit } = await initiated(merchant);
    const err = await errorMessage(p, new SetError("thumbsMismatch", "no"), pInit.response);
    const out = await merchant.handleSet(err);
    expect(out.response).toHaveLength(0);
    expect(out.error?.code).toBe("thumbsMismatch");
    expect((await types(merchant, order.id)).at(-1)).toBe("cardholder>merchant:error");
  });

  test(`an order's record keeps ${maxRecordedErrors} Errors; later refusals and incoming Errors are answered or read, not recorded`, async () => {
    const { merchant } = setup();
    const { order, session, data, out: pInit } = await initiated(merchant);
    const errors = async () => (await types(merchant, order.id)).filter((t) => t.endsWith(":error")).length;
    const refused = async () => {
      const req = await pReq(p, kitOf(pki), session, data, {
        description,
        purchAmt,
        chall_M: new Uint8Array(20).fill(1),
      });
      return errorCodeOf(p, (await merchant.handleSet(req.der)).response);
    };
    const before = (await merchant.messages(order.id)).length;
    for (let i = 0; i < maxRecordedErrors; i++) expect(await refused()).toBe("challengeMismatch");
    expect(await errors()).toBe(maxRecordedErrors);
    expect((await merchant.messages(order.id)).length).toBe(before + 2 * maxRecordedErrors);
    // Past the cap: still answered, the order untouched, nothing more recorded.
    for (let i = 0; i < 3; i++) expect(await refused()).toBe("challengeMismatch");
    const incoming = await merchant.handleSet(
      await errorMessage(p, new SetError("thumbsMismatch", "no"), pInit.response),
    );
    expect(incoming.error?.code).toBe("thumbsMismatch");
    expect(incoming.response).toHaveLength(0);
    expect((await merchant.messages(order.id)).length).toBe(before + 2 * maxRecordedErrors);
    expect((await merchant.order(order.id))?.state).toBe("initiated");
  });

  test("a header XID that differs from OIData's -> wrapperMsgMismatch", async () => {
    const { merchant } = setup();
    const { session, data } = await initiated(merchant);
    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
    const w = schema.decodeMessage(req.der);
    const der = wrapMessage(
      w.message,
      { rrpid: req.oiData.rrpid, xid: new Uint8Array(20).fill(3) },
      { date: p.now() },
    );
    expect(await errorCodeOf(p, (await merchant.handleSet(der)).response)).toBe("wrapperMsgMismatch");
  });
});
