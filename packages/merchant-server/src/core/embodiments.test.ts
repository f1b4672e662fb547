/**
 * The merchant's side of embodiments 1 and 2 over a real store, a real test PKI, a card that signs with
 * the test cardholder key and a gateway double that runs the protocol's receive function.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  buildE1InfoInit,
  buildE2Init,
  embodimentRefusal,
  nodeProvider,
  receiveE1AuthReq,
  receiveE1Result,
  receiveE2MerchantHello,
  receiveE2SessionKey,
  SetError,
  schema,
  sealE2CardInfo,
  sealE2CardInfoForCardCompany,
  signE1AuthRes,
  signE1InfoRes,
  signE2CardHello,
} from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { SqliteRepository } from "../store/sqliteRepository";
import { pInitReq } from "../testing/testCard";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import { type GatewayClient, GatewayUnreachableError } from "./gatewayClient";
import { Merchant } from "./merchant";

const p = nodeProvider();
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const PAN = "4111111111111111113";
let pki: TestPki;
let dir: string;
let n = 0;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-e1-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A gateway that opens E1AuthReq with every check and answers `authCode`, or is down. */
class E1Gateway implements GatewayClient {
  calls = 0;
  embodiment: boolean[] = [];
  /** How each request carried the card information, and the PAN the gateway read from it. */
  cardInfo: { type: string; pan: string }[] = [];
  constructor(private readonly authCode: schema.AuthCode | "down" | "timeout") {}
  async send(_id: string, message: Uint8Array, context: { embodiment?: boolean }) {
    this.calls++;
    this.embodiment.push(context.embodiment === true);
    if (this.authCode === "down") throw new GatewayUnreachableError("connection refused");
    if (this.authCode === "timeout") throw new GatewayUnreachableError("timed out", true);
    const got = await receiveE1AuthReq(p, message, {
      decrypter: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
      trust: { pinnedRoot: pki.root.certificate, at: new Date() },
      now: new Date(),
    });
    this.cardInfo.push({ type: got.data.cardInfo.type, pan: got.info.pan });
    const signer = {
      certificate: pki.gatewaySig.certificate,
      privateKey: pki.gatewaySig.privateKey,
      chain: pki.intermediatesOf("gatewaySig"),
    };
    return signE1AuthRes(
      p,
      signer,
      {
        authRRPID: got.data.authRRPID,
        xid: got.data.xid,
        authCode: this.authCode,
        authAmt: got.data.purchAmt,
      },
      new Date(),
    );
  }
}

function setup(
  authCode: schema.AuthCode | "down" | "timeout" = "approved",
  embodiment2CardInfo?: "sessionKey" | "cardCompany",
) {
  const repo = closedAtEnd(new SqliteRepository(path.join(dir, `m${++n}.db`)));
  const gateway = new E1Gateway(authCode);
  const config = { ...testMerchantConfig(pki), ...(embodiment2CardInfo ? { embodiment2CardInfo } : {}) };
  const merchant = new Merchant({ p, repo, config, gateway });
  return { merchant, gateway };
}

const cardSigner = () => ({
  certificate: pki.cardholder.certificate,
  privateKey: pki.cardholder.privateKey,
  chain: pki.intermediatesOf("cardholder"),
});

/** What the card answers to an E1InfoReq (the merchant's answer to E1InfoInit). */
async function cardAnswer(infoReq: Uint8Array, change: Partial<schema.E1CardInfo> = {}) {
  const wrapper = schema.decodeEmbodimentMessage(infoReq);
  if (wrapper.message.type !== "e1InfoReq")
    throw new Error(`expected e1InfoReq, got ${wrapper.message.type}`);
  const req = wrapper.message.value;
  const chall_C = p.random(20);
  const bytes = await signE1InfoRes(
    p,
    cardSigner(),
    {
      lid_M: req.lid_M,
      xid: req.xid,
      chall_M: req.chall_M,
      chall_C,
      purchAmt: req.purchAmt,
      brandID: "Visa",
      pan: PAN,
      cardExpiry: "202912",
      panSecret: new Uint8Array(20).fill(9),
      ...change,
    },
    new Date(),
  );
  return { bytes, chall_C, xid: req.xid, req };
}

const refusalCode = (bytes: Uint8Array) => {
  const w = schema.decodeEmbodimentMessage(bytes);
  return w.message.type === "error" ? w.message.value.errorCode : undefined;
};

async function e1Order(merchant: Merchant) {
  return merchant.createOrder({
    description: "1 x SET Lab mug",
    amount: purchAmt.amount,
    currency: purchAmt.currency,
    amtExp10: purchAmt.amtExp10,
    profile: "embodiment-1",
  });
}

describe("merchant core: embodiment 1", () => {
  test("E1InfoInit -> E1InfoReq; E1InfoRes -> E1AuthReq to the gateway -> signed E1Result; the order authorized", async () => {
    const { merchant, gateway } = setup();
    const order = await e1Order(merchant);
    const first = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    expect(first.error).toBeUndefined();
    expect((await merchant.order(order.id))?.state).toBe("initiated");
    const card = await cardAnswer(first.response);
    expect(card.req.purchAmt).toEqual(purchAmt);
    expect(card.req.brands).toEqual(["Visa"]);
    const out = await merchant.handleEmbodiment(card.bytes);
    expect(out.error).toBeUndefined();
    expect(out.state).toBe("authorized");
    expect(gateway.embodiment).toEqual([true]);
    const result = await receiveE1Result(
      p,
      out.response,
      { xid: card.xid, chall_C: card.chall_C, brand: "Visa" },
      { trust: { pinnedRoot: pki.root.certificate, at: new Date() } },
    );
    expect(result.data).toMatchObject({ completionCode: "authorizationPerformed", authAmt: purchAmt });
    const view = await merchant.orderView(order.id);
    expect(view?.history.map((h) => h.state)).toEqual([
      "created",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "authorized",
    ]);
    expect(view?.authorization).toMatchObject({
      authCode: "approved",
      completionCode: "authorizationPerformed",
    });
    // The card's message, with the PAN in the clear, is not kept.
    const kept = await merchant.messages(order.id);
    expect(kept.map((m) => m.type)).toEqual([
      "e1InfoInit",
      "e1InfoReq",
      "e1AuthReq",
      "e1AuthRes",
      "e1Result",
    ]);
    for (const m of kept) expect(Buffer.from(m.der).toString("latin1")).not.toContain(PAN);
    // One answer per request: the same E1InfoRes again is for no open request.
    expect(refusalCode((await merchant.handleEmbodiment(card.bytes)).response)).toBe("unknownXID");
    expect(gateway.calls).toBe(1);
  });

  test("a decline: the order declined, the card told orderRejected", async () => {
    const { merchant } = setup("declined");
    const order = await e1Order(merchant);
    const init = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    const out = await merchant.handleEmbodiment((await cardAnswer(init.response)).bytes);
    expect(out.state).toBe("declined");
    expect(schema.decodeEmbodimentMessage(out.response).message.type).toBe("e1Result");
  });

  test("a gateway never reached: authorizationFailed, nothing authorized, orderRejected; the buyer may pay again", async () => {
    const { merchant } = setup("down");
    const order = await e1Order(merchant);
    const init = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    const card = await cardAnswer(init.response);
    const out = await merchant.handleEmbodiment(card.bytes);
    expect(out.state).toBe("authorizationFailed");
    const authorization = (await merchant.orderView(order.id))?.authorization;
    expect(authorization).toMatchObject({ completionCode: "orderRejected", authorizedNothing: true });
    expect(authorization?.failure).toMatch(/unreachable/);
    const again = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    expect(again.error).toBeUndefined();
    expect(again.state).toBe("initiated");
  });

  test("a gateway that may have decided (a timeout): orderReceived, and the order is not payable again", async () => {
    const { merchant } = setup("timeout");
    const order = await e1Order(merchant);
    const init = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    const out = await merchant.handleEmbodiment((await cardAnswer(init.response)).bytes);
    expect(out.state).toBe("authorizationFailed");
    expect((await merchant.orderView(order.id))?.authorization?.completionCode).toBe("orderReceived");
    const again = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    expect(refusalCode(again.response)).toBe("unspecifiedFailure");
  });

  test("after a decline the buyer may pay again, under a new XID", async () => {
    const { merchant } = setup("declined");
    const order = await e1Order(merchant);
    const first = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    await merchant.handleEmbodiment((await cardAnswer(first.response)).bytes);
    const again = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    expect(again.state).toBe("initiated");
    expect(again.xid).not.toBe(first.xid);
  });

  test("E1InfoInit refusals: an unknown LID-M, a SET order, an order already paid, an old message", async () => {
    const { merchant } = setup();
    const init = (lidM: string, date = new Date()) =>
      merchant.handleEmbodiment(buildE1InfoInit({ lid_M: Buffer.from(lidM) }, date));
    expect(refusalCode((await init("order-9999")).response)).toBe("unknownLID");
    const setOrder = await merchant.createOrder({
      description: "mug",
      amount: purchAmt.amount,
      currency: purchAmt.currency,
      amtExp10: purchAmt.amtExp10,
    });
    expect(refusalCode((await init(setOrder.lidM)).response)).toBe("messageNotSupported");
    const order = await e1Order(merchant);
    expect(refusalCode((await init(order.lidM, new Date(Date.now() - 3_600_000))).response)).toBe(
      "messageTooOld",
    );
    const first = await init(order.lidM);
    await merchant.handleEmbodiment((await cardAnswer(first.response)).bytes);
    const after = await init(order.lidM);
    expect(refusalCode(after.response)).toBe("unspecifiedFailure");
    expect(after.error?.message).toMatch(/already authorized/);
  });

  test("a newer E1InfoInit replaces the request: the answer to the older one is unknownXID", async () => {
    const { merchant } = setup();
    const order = await e1Order(merchant);
    const older = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    const newer = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    expect(
      refusalCode((await merchant.handleEmbodiment((await cardAnswer(older.response)).bytes)).response),
    ).toBe("unknownXID");
    expect((await merchant.handleEmbodiment((await cardAnswer(newer.response)).bytes)).state).toBe(
      "authorized",
    );
  });

  test("an order that moved on (a SET PInitReq gave it another XID) takes no answer to the older request", async () => {
    const { merchant, gateway } = setup();
    const order = await e1Order(merchant);
    const init = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    expect((await merchant.handleSet(pInitReq(p, order.lidM).pInitReq)).error).toBeUndefined();
    const out = await merchant.handleEmbodiment((await cardAnswer(init.response)).bytes);
    expect(refusalCode(out.response)).toBe("unknownXID");
    expect(gateway.calls).toBe(0);
  });

  test("an answer that fails a check leaves the request open for the genuine one", async () => {
    const { merchant, gateway } = setup();
    const order = await e1Order(merchant);
    const init = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    const wrongChallenge = await cardAnswer(init.response, { chall_M: new Uint8Array(20) });
    expect(refusalCode((await merchant.handleEmbodiment(wrongChallenge.bytes)).response)).toBe(
      "challengeMismatch",
    );
    const otherAmount = await cardAnswer(init.response, { purchAmt: { ...purchAmt, amount: 1 } });
    expect(refusalCode((await merchant.handleEmbodiment(otherAmount.bytes)).response)).toBe(
      "unspecifiedFailure",
    );
    expect(gateway.calls).toBe(0);
    expect((await merchant.order(order.id))?.state).toBe("initiated");
    expect((await merchant.handleEmbodiment((await cardAnswer(init.response)).bytes)).state).toBe(
      "authorized",
    );
  });

  test("a refusal is not answered; a message a merchant does not take is messageNotSupported; garbage is decodingFailure", async () => {
    const { merchant } = setup();
    const refused = await merchant.handleEmbodiment(
      embodimentRefusal(new SetError("unknownXID", "x"), new Date()),
    );
    expect(refused.response).toHaveLength(0);
    const order = await e1Order(merchant);
    const init = await merchant.handleEmbodiment(
      buildE1InfoInit({ lid_M: Buffer.from(order.lidM) }, new Date()),
    );
    // The merchant's own E1InfoReq sent back to it.
    expect(refusalCode((await merchant.handleEmbodiment(init.response)).response)).toBe(
      "messageNotSupported",
    );
    expect(refusalCode((await merchant.handleEmbodiment(Uint8Array.of(0x30, 0x03, 1, 2, 3))).response)).toBe(
      "decodingFailure",
    );
  });
});

describe("merchant core: embodiment 2", () => {
  async function e2Order(merchant: Merchant) {
    return merchant.createOrder({
      description: "2 x tea towel",
      amount: purchAmt.amount,
      currency: purchAmt.currency,
      amtExp10: purchAmt.amtExp10,
      profile: "embodiment-2",
    });
  }
  const trust = () => ({ pinnedRoot: pki.root.certificate, at: new Date() });

  /** The card's side in the test: its hello with a fresh key, the opened session key. */
  async function cardSide(merchant: Merchant, lidM: string) {
    const helloOut = await merchant.handleEmbodiment(buildE2Init({ lid_M: Buffer.from(lidM) }, new Date()));
    const hello = await receiveE2MerchantHello(
      p,
      helloOut.response,
      { brand: "Visa" },
      { trust: trust(), now: new Date() },
    );
    const keys = (await p.crypto.subtle.generateKey(
      { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["encrypt", "decrypt"],
    )) as CryptoKeyPair;
    const cardKey = new Uint8Array(await p.crypto.subtle.exportKey("spki", keys.publicKey));
    const chall_C = p.random(20);
    const cardHello = await signE2CardHello(
      p,
      cardSigner(),
      { xid: hello.data.xid, chall_M: hello.data.chall_M, chall_C, cardKey },
      new Date(),
    );
    return { hello, keys, chall_C, cardHello };
  }

  test("E2Init -> hello, E2CardHello -> session key and the order under it, E2CardInfo -> authorized", async () => {
    const { merchant, gateway } = setup();
    const order = await e2Order(merchant);
    const { hello, keys, chall_C, cardHello } = await cardSide(merchant, order.lidM);
    const keyOut = await merchant.handleEmbodiment(cardHello);
    expect(keyOut.error).toBeUndefined();
    const opened = await receiveE2SessionKey(
      p,
      keyOut.response,
      { xid: hello.data.xid, chall_C, merchantCertificate: pki.merchantSig.certificate, brand: "Visa" },
      { trust: trust(), cardKey: keys.privateKey },
    );
    expect(new TextDecoder().decode(opened.order.od)).toBe("2 x tea towel");
    const info = await sealE2CardInfo(
      p,
      cardSigner(),
      opened.sessionKey,
      {
        lid_M: hello.data.lid_M,
        xid: hello.data.xid,
        chall_M: hello.data.chall_M,
        chall_C,
        purchAmt,
        brandID: "Visa",
        pan: PAN,
        cardExpiry: "202912",
        panSecret: new Uint8Array(20).fill(9),
      },
      new Date(),
    );
    const out = await merchant.handleEmbodiment(info);
    expect(out.error).toBeUndefined();
    expect(out.state).toBe("authorized");
    expect(gateway.calls).toBe(1);
    const kept = (await merchant.messages(order.id)).map((m) => m.type);
    expect(kept).toEqual(["e2Init", "e2MerchantHello", "e2SessionKey", "e1AuthReq", "e1AuthRes", "e1Result"]);
    // One card information per session key.
    expect(refusalCode((await merchant.handleEmbodiment(info)).response)).toBe("unknownXID");
  });

  test("refusals: a first-embodiment order, an unknown XID, one hello answered twice, card information under another key", async () => {
    const { merchant, gateway } = setup();
    const e1 = await e1Order(merchant);
    expect(
      refusalCode(
        (await merchant.handleEmbodiment(buildE2Init({ lid_M: Buffer.from(e1.lidM) }, new Date()))).response,
      ),
    ).toBe("messageNotSupported");
    const order = await e2Order(merchant);
    const { hello, chall_C, cardHello } = await cardSide(merchant, order.lidM);
    // A hello for an XID never issued.
    const e1Answer = await signE2CardHello(
      p,
      cardSigner(),
      { xid: new Uint8Array(20).fill(3), chall_M: hello.data.chall_M, chall_C, cardKey: new Uint8Array(1) },
      new Date(),
    );
    expect(refusalCode((await merchant.handleEmbodiment(e1Answer)).response)).toBe("unknownXID");
    expect((await merchant.handleEmbodiment(cardHello)).error).toBeUndefined();
    expect(refusalCode((await merchant.handleEmbodiment(cardHello)).response)).toBe("unknownXID");
    const wrongKey = await sealE2CardInfo(
      p,
      cardSigner(),
      new Uint8Array(32),
      {
        lid_M: hello.data.lid_M,
        xid: hello.data.xid,
        chall_M: hello.data.chall_M,
        chall_C,
        purchAmt,
        brandID: "Visa",
        pan: PAN,
        cardExpiry: "202912",
        panSecret: new Uint8Array(20),
      },
      new Date(),
    );
    expect(refusalCode((await merchant.handleEmbodiment(wrongKey)).response)).toBe("decodingFailure");
    expect(gateway.calls).toBe(0);
  });

  /** The card's side up to its card information, sealed as `seal` says. */
  async function cardInformation(
    merchant: Merchant,
    seal: (
      opened: Awaited<ReturnType<typeof receiveE2SessionKey>>,
      info: schema.E1CardInfo,
    ) => Promise<Uint8Array>,
  ) {
    const order = await e2Order(merchant);
    const { hello, keys, chall_C, cardHello } = await cardSide(merchant, order.lidM);
    const keyOut = await merchant.handleEmbodiment(cardHello);
    expect(keyOut.error).toBeUndefined();
    const opened = await receiveE2SessionKey(
      p,
      keyOut.response,
      { xid: hello.data.xid, chall_C, merchantCertificate: pki.merchantSig.certificate, brand: "Visa" },
      { trust: trust(), cardKey: keys.privateKey },
    );
    const info: schema.E1CardInfo = {
      lid_M: hello.data.lid_M,
      xid: hello.data.xid,
      chall_M: hello.data.chall_M,
      chall_C,
      purchAmt,
      brandID: "Visa",
      pan: PAN,
      cardExpiry: "202912",
      panSecret: new Uint8Array(20).fill(9),
    };
    return { order, opened, message: await seal(opened, info) };
  }

  test("the card-company option (claims 7-8): sealed to the gateway's certificate, forwarded unopened, opened by the gateway; authorized", async () => {
    const { merchant, gateway } = setup("approved", "cardCompany");
    const { order, opened, message } = await cardInformation(merchant, (o, info) => {
      if (!o.cardCompanyCertificate) throw new Error("the session key named no card-company certificate");
      return sealE2CardInfoForCardCompany(p, cardSigner(), o.cardCompanyCertificate, info, new Date());
    });
    // The session key named the brand's gateway key-exchange certificate, which the card checked.
    expect(
      Buffer.from(opened.cardCompanyCertificate ?? []).equals(Buffer.from(pki.gatewayKex.certificate)),
    ).toBe(true);
    // The merchant cannot read the card information: no PAN in what it received or forwards.
    expect(Buffer.from(message).includes(Buffer.from(PAN))).toBe(false);
    const out = await merchant.handleEmbodiment(message);
    expect(out.error).toBeUndefined();
    expect(out.state).toBe("authorized");
    expect(gateway.cardInfo).toEqual([{ type: "sealedToGateway", pan: PAN }]);
    const kept = await merchant.messages(order.id);
    expect(kept.map((m) => m.type)).toEqual([
      "e2Init",
      "e2MerchantHello",
      "e2SessionKey",
      "e1AuthReq",
      "e1AuthRes",
      "e1Result",
    ]);
  });

  test("the session-key option is the default: no card-company certificate, the merchant opens it", async () => {
    const { merchant, gateway } = setup();
    const { opened, message } = await cardInformation(merchant, (o, info) =>
      sealE2CardInfo(p, cardSigner(), o.sessionKey, info, new Date()),
    );
    expect(opened.cardCompanyCertificate).toBeUndefined();
    expect((await merchant.handleEmbodiment(message)).state).toBe("authorized");
    expect(gateway.cardInfo).toEqual([{ type: "signed", pan: PAN }]);
  });

  test("card information sealed otherwise than the merchant asked is refused, and nothing goes to the gateway", async () => {
    const underKey = setup("approved", "cardCompany");
    const asKey = await cardInformation(underKey.merchant, (o, info) =>
      sealE2CardInfo(p, cardSigner(), o.sessionKey, info, new Date()),
    );
    expect(refusalCode((await underKey.merchant.handleEmbodiment(asKey.message)).response)).toBe(
      "unspecifiedFailure",
    );
    expect(underKey.gateway.calls).toBe(0);

    const toCompany = setup();
    const asCompany = await cardInformation(toCompany.merchant, (_o, info) =>
      sealE2CardInfoForCardCompany(p, cardSigner(), pki.gatewayKex.certificate, info, new Date()),
    );
    expect(refusalCode((await toCompany.merchant.handleEmbodiment(asCompany.message)).response)).toBe(
      "unspecifiedFailure",
    );
    expect(toCompany.gateway.calls).toBe(0);
  });

  test("under the card-company option, card information sealed to another key fails at the gateway: the order's authorization fails", async () => {
    const { merchant, gateway } = setup("approved", "cardCompany");
    const { message } = await cardInformation(merchant, (_o, info) =>
      // The merchant's own key-exchange certificate: the gateway cannot open it.
      sealE2CardInfoForCardCompany(p, cardSigner(), pki.merchantKex.certificate, info, new Date()),
    );
    const out = await merchant.handleEmbodiment(message);
    expect(gateway.calls).toBe(1);
    expect(gateway.cardInfo).toEqual([]);
    expect(out.state).not.toBe("authorized");
  });
});
