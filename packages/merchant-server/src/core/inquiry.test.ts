import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  buildInqReq,
  nodeProvider,
  readError,
  receiveInqRes,
  type Signer,
  schema,
  wrapMessage,
} from "@setlab/protocol";
import { cachedTestKeyPair, createTestParty, createTestPki, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { SqliteRepository } from "../store/sqliteRepository";
import { GatewayFunction } from "../testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes } from "../testing/testCard";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import { Merchant } from "./merchant";

const p = nodeProvider();
let pki: TestPki;
let dir: string;
let n = 0;
let stranger: Signer;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-inquiry-"));
  const other = await createTestParty(
    pki.cardholderCa,
    {
      name: "Another Cardholder",
      roles: ["card"],
      use: "signature",
      brand: "Visa",
      keys: await cachedTestKeyPair("cardholder", "signature"),
    },
    p,
  );
  stranger = {
    certificate: other.certificate,
    privateKey: other.privateKey,
    chain: pki.intermediatesOf("cardholder"),
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A merchant and one order paid (signed unless `unsigned`) with the gateway in `mode`. */
async function paidOrder(
  mode: GatewayFunction["mode"] = "approve",
  form: "dualSigned" | "unsigned" = "dualSigned",
  firstShipmentAmount?: number,
) {
  const repo = closedAtEnd(new SqliteRepository(path.join(dir, `i${++n}.db`)));
  const gateway = new GatewayFunction(p, pki);
  const merchant = new Merchant({ p, repo, config: testMerchantConfig(pki, form === "dualSigned"), gateway });
  const order = await merchant.createOrder({
    description,
    amount: purchAmt.amount,
    currency: purchAmt.currency,
    ...(firstShipmentAmount !== undefined ? { firstShipmentAmount } : {}),
  });
  const session = pInitReq(p, order.lidM);
  const data = await readPInitRes(
    p,
    kitOf(pki),
    session,
    (await merchant.handleSet(session.pInitReq)).response,
  );
  gateway.mode = mode;
  const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt, form });
  await merchant.handleSet(req.der);
  return { merchant, gateway, id: order.id, session, transIDs: data.data.transIDs, pInit: data };
}
type Paid = Awaited<ReturnType<typeof paidOrder>>;

/** The card's InqReq about the purchase, and what its InqRes must match. */
async function inquire(
  paid: { readonly transIDs: schema.TransIDs },
  options: { signer?: Signer | null; chall_C?: Uint8Array; transIDs?: schema.TransIDs } = {},
) {
  const transIDs = options.transIDs ?? paid.transIDs;
  const rrpid = p.random(20);
  const chall_C2 = p.random(20);
  const signer = options.signer === null ? undefined : (options.signer ?? kitOf(pki).cardholder);
  const value = await buildInqReq(p, {
    transIDs,
    rrpid,
    chall_C2,
    ...(signer ? { signer } : {}),
    ...(options.chall_C ? { chall_C: options.chall_C } : {}),
  });
  const der = wrapMessage(
    { type: "inquiryRequest", value },
    { rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date: p.now() },
  );
  return { der, rrpid, chall_C2 };
}

/** Every PResPayload of the InqRes, read as the card reads it (receiveInqRes). */
async function statuses(
  paid: { readonly transIDs: schema.TransIDs },
  asked: Awaited<ReturnType<typeof inquire>>,
  answer: Uint8Array,
) {
  const data = await receiveInqRes(
    p,
    answer,
    {
      rrpid: asked.rrpid,
      chall_C2: asked.chall_C2,
      xid: paid.transIDs.xid,
      lid_C: paid.transIDs.lid_C,
      merchantCertificate: pki.merchantSig.certificate,
      purchAmt,
    },
    { trust: { pinnedRoot: pki.root.certificate, at: new Date() } },
  );
  return data.pResPayloadSeq;
}

/** The first authorization's PResPayload. */
const status = async (...args: Parameters<typeof statuses>) => (await statuses(...args))[0];

const errorCodeOf = async (answer: Uint8Array) => {
  const w = schema.decodeMessage(answer);
  if (w.message.type !== "error") throw new Error(`expected an Error, got ${w.message.type}`);
  return (await readError(p, w.message.value)).code;
};

describe("merchant: InqReq -> InqRes", () => {
  test("an approved purchase: authorizationPerformed with its AuthStatus; the exchange is recorded on the order", async () => {
    const paid = await paidOrder();
    const asked = await inquire(paid);
    const out = await paid.merchant.handleSet(asked.der);
    expect(out.error).toBeUndefined();
    const payload = await status(paid, asked, out.response);
    expect(payload.completionCode).toBe("authorizationPerformed");
    expect(payload.results?.authStatus?.authAmt).toEqual(purchAmt);
    const types = (await paid.merchant.messages(paid.id)).map((m) => m.type);
    expect(types.slice(-2)).toEqual(["inquiryRequest", "inquiryResponse"]);
  });

  test("a split shipment: one PResPayload per authorization, the first one's first, each by its own state", async () => {
    const paid = await paidOrder("approve", "dualSigned", 4000);
    const { merchant, id } = paid;
    await merchant.capture(id);
    await merchant.authorizeSubsequent(id, { amount: jpy(5000) });
    await merchant.authorizeSubsequent(id, { amount: jpy(3000) });
    await merchant.capture(id, { authorization: 2, amount: jpy(4500) });
    await merchant.reverseAuthorization(id, { authorization: 3, amount: jpy(2000) });
    const asked = await inquire(paid);
    const payloads = await statuses(paid, asked, (await merchant.handleSet(asked.der)).response);
    expect(
      payloads.map((x) => [
        x.completionCode,
        x.results?.authStatus?.authAmt.amount,
        x.results?.capStatus?.capAmt.amount,
      ]),
    ).toEqual([
      ["capturePerformed", 4000, 4000],
      ["capturePerformed", 5000, 4500],
      ["authorizationPerformed", 2000, undefined],
    ]);
  });

  test("past 16 authorizations: the first one's payload and the 15 latest (PResPayloadSeq holds 16)", async () => {
    const paid = await paidOrder("approve", "dualSigned", 100);
    for (let part = 2; part <= 18; part++)
      await paid.merchant.authorizeSubsequent(paid.id, { amount: jpy(part * 10) });
    const asked = await inquire(paid);
    const payloads = await statuses(paid, asked, (await paid.merchant.handleSet(asked.der)).response);
    expect(payloads.map((x) => x.results?.authStatus?.authAmt.amount)).toEqual([
      100,
      ...Array.from({ length: 15 }, (_, i) => (i + 4) * 10),
    ]);
  });

  test("orderReceived in doubt, then the gateway's decision once settled", async () => {
    const paid = await paidOrder("garbage");
    const first = await inquire(paid);
    expect(
      (await status(paid, first, (await paid.merchant.handleSet(first.der)).response)).completionCode,
    ).toBe("orderReceived");
    paid.gateway.mode = "approve";
    await paid.merchant.settleInDoubt();
    const second = await inquire(paid);
    const payload = await status(paid, second, (await paid.merchant.handleSet(second.der)).response);
    expect(payload.completionCode).toBe("authorizationPerformed");
  });

  test("an inquiry never calls the gateway", async () => {
    const paid = await paidOrder("garbage");
    const calls = paid.gateway.calls;
    const asked = await inquire(paid);
    await paid.merchant.handleSet(asked.der);
    expect(paid.gateway.calls).toBe(calls);
  });

  test("declined: orderRejected; captured: capturePerformed with CapStatus", async () => {
    const declined = await paidOrder("decline");
    const a = await inquire(declined);
    expect(
      (await status(declined, a, (await declined.merchant.handleSet(a.der)).response)).completionCode,
    ).toBe("orderRejected");
    const paid = await paidOrder();
    await paid.merchant.capture(paid.id);
    const b = await inquire(paid);
    const payload = await status(paid, b, (await paid.merchant.handleSet(b.der)).response);
    expect(payload.completionCode).toBe("capturePerformed");
    expect(payload.results?.capStatus?.capAmt).toEqual(purchAmt);
  });

  test("reduced: authorizationPerformed for the new AuthAmt; reversed: orderRejected", async () => {
    const paid = await paidOrder();
    await paid.merchant.reverseAuthorization(paid.id, { amount: { ...purchAmt, amount: 5000 } });
    const a = await inquire(paid);
    const reduced = await status(paid, a, (await paid.merchant.handleSet(a.der)).response);
    expect(reduced.completionCode).toBe("authorizationPerformed");
    expect(reduced.results?.authStatus?.authAmt).toEqual({ ...purchAmt, amount: 5000 });
    await paid.merchant.reverseAuthorization(paid.id);
    expect((await paid.merchant.order(paid.id))?.state).toBe("reversed");
    const b = await inquire(paid);
    expect((await status(paid, b, (await paid.merchant.handleSet(b.der)).response)).completionCode).toBe(
      "orderRejected",
    );
  });

  test("refunded in part: creditPerformed with the credit; the credit reversed: capturePerformed; the capture reversed: orderRejected", async () => {
    const paid = await paidOrder();
    await paid.merchant.capture(paid.id);
    await paid.merchant.refund(paid.id, { amount: { ...purchAmt, amount: 1000 } });
    const a = await inquire(paid);
    const credited = await status(paid, a, (await paid.merchant.handleSet(a.der)).response);
    expect(credited.completionCode).toBe("creditPerformed");
    expect(credited.results?.credStatusSeq?.map((c) => c.creditAmt)).toEqual([{ ...purchAmt, amount: 1000 }]);
    await paid.merchant.reverseRefund(paid.id);
    const b = await inquire(paid);
    expect((await status(paid, b, (await paid.merchant.handleSet(b.der)).response)).completionCode).toBe(
      "capturePerformed",
    );
    await paid.merchant.reverseCapture(paid.id);
    expect((await paid.merchant.order(paid.id))?.state).toBe("captureReversed");
    const c = await inquire(paid);
    expect((await status(paid, c, (await paid.merchant.handleSet(c.der)).response)).completionCode).toBe(
      "orderRejected",
    );
  });

  test("a purchase paid unsigned is asked about with the inquiry proof (its Chall-C)", async () => {
    const paid = await paidOrder("approve", "unsigned");
    const asked = await inquire(paid, { signer: null, chall_C: paid.session.chall_C });
    const payload = await status(paid, asked, (await paid.merchant.handleSet(asked.der)).response);
    expect(payload.completionCode).toBe("authorizationPerformed");
  });

  test("the same InqReq again gets the same answer, even after the order moved on", async () => {
    const paid = await paidOrder();
    const asked = await inquire(paid);
    const first = await paid.merchant.handleSet(asked.der);
    await paid.merchant.capture(paid.id);
    const again = await paid.merchant.handleSet(asked.der);
    expect(again.replayed).toBe(true);
    expect(Buffer.from(again.response).equals(Buffer.from(first.response))).toBe(true);
  });

  describe("another buyer's transaction: the same SET Error as an unknown XID, nothing recorded", () => {
    const strangers: [string, (paid: Paid) => ReturnType<typeof inquire>][] = [
      ["signed by another cardholder", (paid) => inquire(paid, { signer: stranger })],
      [
        "unsigned, for a purchase paid signed",
        (paid) => inquire(paid, { signer: null, chall_C: paid.session.chall_C }),
      ],
    ];
    test.each(strangers)("%s", async (_, make) => {
      const paid = await paidOrder();
      const before = await paid.merchant.messages(paid.id);
      const asked = await make(paid);
      const out = await paid.merchant.handleSet(asked.der);
      expect(await errorCodeOf(out.response)).toBe("unknownXID");
      expect(out.orderId).toBeUndefined();
      expect(out.state).toBeUndefined();
      expect(await paid.merchant.messages(paid.id)).toHaveLength(before.length);
      // The same answer as for an XID no order has.
      const unknown = await inquire(paid, { transIDs: { ...paid.transIDs, xid: p.random(20) } });
      const none = await paid.merchant.handleSet(unknown.der);
      expect(none.error?.code).toBe(out.error?.code);
      expect(none.error?.message).toBe(out.error?.message);
    });

    test("unsigned without the proof, for a purchase paid unsigned", async () => {
      const paid = await paidOrder("approve", "unsigned");
      const asked = await inquire(paid, { signer: null });
      expect(await errorCodeOf((await paid.merchant.handleSet(asked.der)).response)).toBe("unknownXID");
    });

    test("an XID a stranger's own PInitReq got for the order (issued, never taken by a PReq)", async () => {
      const repo = closedAtEnd(new SqliteRepository(path.join(dir, `i${++n}.db`)));
      const merchant = new Merchant({
        p,
        repo,
        config: testMerchantConfig(pki),
        gateway: new GatewayFunction(p, pki),
      });
      const order = await merchant.createOrder({
        description,
        amount: purchAmt.amount,
        currency: purchAmt.currency,
      });
      const buyer = pInitReq(p, order.lidM);
      const theirs = pInitReq(p, order.lidM);
      const forBuyer = await readPInitRes(
        p,
        kitOf(pki),
        buyer,
        (await merchant.handleSet(buyer.pInitReq)).response,
      );
      const forStranger = await readPInitRes(
        p,
        kitOf(pki),
        theirs,
        (await merchant.handleSet(theirs.pInitReq)).response,
      );
      await merchant.handleSet((await pReq(p, kitOf(pki), buyer, forBuyer, { description, purchAmt })).der);
      const paid = {
        merchant,
        id: order.id,
        session: theirs,
        transIDs: forStranger.data.transIDs,
      } as unknown as Paid;
      const asked = await inquire(paid);
      expect(await errorCodeOf((await merchant.handleSet(asked.der)).response)).toBe("unknownXID");
      // The buyer's own XID answers.
      const mine = await inquire({ transIDs: forBuyer.data.transIDs });
      expect((await merchant.handleSet(mine.der)).error).toBeUndefined();
    });
  });
});
