/** The card's side of embodiment 1: E1_CARD_INFO and E1_RESULT, with the real message checks. */
import {
  buildE1InfoReq,
  decodeCardData,
  embodimentRefusal,
  INS,
  nodeProvider,
  receiveE1InfoRes,
  SetError,
  SW,
  type schema,
  signE1Result,
} from "@setlab/protocol";
import {
  answerOf,
  type CardFixture,
  cardFixture,
  expectSw,
  failureOf,
  PAN,
  PIN,
} from "./cardFixture.test-helper";
import { autoApprove, type ConfirmationRequest, denyAll } from "./confirmation";

const p = nodeProvider();
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const lid_M = new TextEncoder().encode("order-7");
const infoReq: schema.E1InfoReq = {
  lid_M,
  xid: new Uint8Array(20).fill(0x10),
  chall_M: new Uint8Array(20).fill(0x50),
  purchAmt,
  brands: ["Visa"],
};

let f: CardFixture;
afterEach(() => f?.cleanup());

async function ready(confirm = autoApprove): Promise<CardFixture> {
  f = await cardFixture(confirm);
  expectSw(await f.send(INS.SELECT, "visa-test"), SW.OK);
  expectSw(await f.send(INS.VERIFY_PIN, PIN), SW.OK);
  return f;
}

const merchantSigner = (fx: CardFixture) => ({
  certificate: fx.pki.merchantSig.certificate,
  privateKey: fx.pki.merchantSig.privateKey,
  chain: fx.pki.intermediatesOf("merchantSig"),
});

describe("E1_CARD_INFO", () => {
  it("answers the shop's request with its signed certificate and card information, after a yes", async () => {
    const asked: ConfirmationRequest[] = [];
    await ready(async (r) => {
      asked.push(r);
      return true;
    });
    const r = await f.send(INS.E1_CARD_INFO, buildE1InfoReq(infoReq, new Date()));
    expectSw(r, SW.OK);
    expect(asked).toHaveLength(1);
    expect(asked[0].purchAmt).toEqual(purchAmt);
    expect(asked[0].merchantName).toMatch(/not verified/);
    const got = await receiveE1InfoRes(
      p,
      r.data,
      { lid_M, xid: infoReq.xid, chall_M: infoReq.chall_M, purchAmt, brands: ["Visa"] },
      { trust: { pinnedRoot: f.pki.root.certificate, at: new Date() }, now: new Date() },
    );
    expect(got.info.pan).toBe(PAN);
    expect(got.cardholder.der).toEqual(f.pki.cardholder.certificate);
  });

  it("needs the PIN", async () => {
    f = await cardFixture();
    expectSw(await f.send(INS.SELECT, "visa-test"), SW.OK);
    expectSw(await f.send(INS.E1_CARD_INFO, buildE1InfoReq(infoReq, new Date())), SW.PIN_NOT_VERIFIED);
  });

  it("gives nothing when the cardholder says no (6985, cardholderDeclined)", async () => {
    await ready(denyAll);
    const r = await f.send(INS.E1_CARD_INFO, buildE1InfoReq(infoReq, new Date()));
    expectSw(r, SW.OUT_OF_ORDER);
    expect(decodeCardData("OutOfOrderReason", r.data)).toBe("cardholderDeclined");
  });

  it("refuses a shop that does not take its brand (6A80), an old request and a refusal (6F00)", async () => {
    await ready();
    expectSw(
      await f.send(INS.E1_CARD_INFO, buildE1InfoReq({ ...infoReq, brands: ["JCB"] }, new Date())),
      SW.BAD_DATA,
    );
    const old = await f.send(INS.E1_CARD_INFO, buildE1InfoReq(infoReq, new Date(Date.now() - 3_600_000)));
    expectSw(old, SW.SET_CHECK_FAILED);
    expect(failureOf(old)).toBe("messageTooOld");
    const refused = await f.send(
      INS.E1_CARD_INFO,
      embodimentRefusal(new SetError("unknownLID", "x"), new Date()),
    );
    expectSw(refused, SW.SET_CHECK_FAILED);
    expect(failureOf(refused)).toBe("unknownLID");
    expectSw(await f.send(INS.E1_CARD_INFO, Uint8Array.of(0x30, 0x00)), SW.SET_CHECK_FAILED);
  });
});

describe("E1_RESULT", () => {
  async function answered() {
    await ready();
    const r = await f.send(INS.E1_CARD_INFO, buildE1InfoReq(infoReq, new Date()));
    const got = await receiveE1InfoRes(
      p,
      r.data,
      { lid_M, xid: infoReq.xid, chall_M: infoReq.chall_M, purchAmt, brands: ["Visa"] },
      { trust: { pinnedRoot: f.pki.root.certificate, at: new Date() }, now: new Date() },
    );
    return got.info.chall_C;
  }

  it("reads the merchant's signed outcome and remembers it (no account data)", async () => {
    const chall_C = await answered();
    const result = await signE1Result(
      p,
      merchantSigner(f),
      { xid: infoReq.xid, chall_C, completionCode: "authorizationPerformed", authAmt: purchAmt },
      new Date(),
    );
    const r = await f.send(INS.E1_RESULT, result);
    expectSw(r, SW.OK);
    expect(answerOf("PurchaseOutcome", r)).toEqual({
      type: "pRes",
      value: { completionCode: "authorizationPerformed", authAmt: purchAmt },
    });
    const status = answerOf("CardStatus", await f.send(INS.GET_STATUS));
    expect(status.lastTransaction?.completionCode).toBe("authorizationPerformed");
    expect(JSON.stringify(f.card.state)).not.toContain(PAN);
    // One result per answer.
    expectSw(await f.send(INS.E1_RESULT, result), SW.OUT_OF_ORDER);
  });

  it("refuses a result bound to another challenge or signed by a non-merchant, and waits for the genuine one", async () => {
    const chall_C = await answered();
    const wrong = await signE1Result(
      p,
      merchantSigner(f),
      { xid: infoReq.xid, chall_C: new Uint8Array(20), completionCode: "authorizationPerformed" },
      new Date(),
    );
    const r = await f.send(INS.E1_RESULT, wrong);
    expectSw(r, SW.SET_CHECK_FAILED);
    expect(failureOf(r)).toBe("challengeMismatch");
    const byGateway = await signE1Result(
      p,
      {
        certificate: f.pki.gatewaySig.certificate,
        privateKey: f.pki.gatewaySig.privateKey,
        chain: f.pki.intermediatesOf("gatewaySig"),
      },
      { xid: infoReq.xid, chall_C, completionCode: "authorizationPerformed" },
      new Date(),
    );
    expect(failureOf(await f.send(INS.E1_RESULT, byGateway))).toBe("invalidCertificate");
    const genuine = await signE1Result(
      p,
      merchantSigner(f),
      { xid: infoReq.xid, chall_C, completionCode: "orderRejected" },
      new Date(),
    );
    expectSw(await f.send(INS.E1_RESULT, genuine), SW.OK);
  });

  it("a merchant refusal is an outcome", async () => {
    await answered();
    const r = await f.send(
      INS.E1_RESULT,
      embodimentRefusal(new SetError("invalidCertificate", "x"), new Date()),
    );
    expect(answerOf("PurchaseOutcome", r)).toEqual({
      type: "error",
      value: { errorCode: "invalidCertificate", signed: false },
    });
  });

  it("is out of order before an E1_CARD_INFO", async () => {
    await ready();
    expectSw(await f.send(INS.E1_RESULT, Uint8Array.of(0x30, 0)), SW.OUT_OF_ORDER);
  });
});
