/** The card's side of embodiment 2: E2_HELLO, E2_SESSION_KEY, E2_CONFIRM, with the real message checks. */
import {
  INS,
  nodeProvider,
  readE2OrderForBuyer,
  receiveE2CardHello,
  receiveE2CardInfo,
  SW,
  schema,
  sealE2SessionKey,
  signE2MerchantHello,
} from "@setlab/protocol";
import { type CardFixture, cardFixture, expectSw, failureOf, PAN, PIN } from "./cardFixture.test-helper";

const p = nodeProvider();
const purchAmt = { currency: 392, amount: 4200, amtExp10: 0 };
const lid_M = new TextEncoder().encode("order-9");
const hello = {
  lid_M,
  xid: new Uint8Array(20).fill(0x10),
  chall_M: new Uint8Array(20).fill(0x50),
  purchAmt,
  brands: ["Visa"],
};
const od = new TextEncoder().encode("2 x tea towel");

let f: CardFixture;
afterEach(() => f?.cleanup());

const signer = (fx: CardFixture, name: "merchantSig" | "gatewaySig") => ({
  certificate: fx.pki[name].certificate,
  privateKey: fx.pki[name].privateKey,
  chain: fx.pki.intermediatesOf(name),
});

async function ready(): Promise<CardFixture> {
  f = await cardFixture();
  expectSw(await f.send(INS.SELECT, "visa-test"), SW.OK);
  expectSw(await f.send(INS.VERIFY_PIN, PIN), SW.OK);
  return f;
}

/** E2_HELLO answered: the card's hello as the merchant reads it. */
async function helloAnswered() {
  await ready();
  const r = await f.send(
    INS.E2_HELLO,
    await signE2MerchantHello(p, signer(f, "merchantSig"), hello, new Date()),
  );
  expectSw(r, SW.OK);
  const got = await receiveE2CardHello(
    p,
    r.data,
    { xid: hello.xid, chall_M: hello.chall_M, brands: ["Visa"] },
    { trust: { pinnedRoot: f.pki.root.certificate, at: new Date() }, now: new Date() },
  );
  return got.data;
}

describe("E2_HELLO", () => {
  it("checks the shop, answers with its certificate and a fresh 2048-bit key each time", async () => {
    const first = await helloAnswered();
    const again = await f.send(
      INS.E2_HELLO,
      await signE2MerchantHello(p, signer(f, "merchantSig"), hello, new Date()),
    );
    const second = schema.decodeEmbodimentMessage(again.data);
    expect(second.message.type).toBe("e2CardHello");
    expect(Buffer.from(again.data).includes(Buffer.from(first.cardKey))).toBe(false);
  });

  it("refuses a shop whose certificate is no merchant's (6F00 invalidCertificate), and needs the PIN", async () => {
    await ready();
    const r = await f.send(
      INS.E2_HELLO,
      await signE2MerchantHello(p, signer(f, "gatewaySig"), hello, new Date()),
    );
    expectSw(r, SW.SET_CHECK_FAILED);
    expect(failureOf(r)).toBe("invalidCertificate");
    f.cleanup();
    f = await cardFixture();
    expectSw(await f.send(INS.SELECT, "visa-test"), SW.OK);
    expectSw(await f.send(INS.E2_HELLO, Uint8Array.of(0x30, 0)), SW.PIN_NOT_VERIFIED);
  });
});

describe("E2_SESSION_KEY and E2_CONFIRM", () => {
  it("opens the order, hands it marked non-forward, and only on E2_CONFIRM the card information under the session key", async () => {
    const cardHello = await helloAnswered();
    const { message, sessionKey } = await sealE2SessionKey(
      p,
      signer(f, "merchantSig"),
      cardHello.cardKey,
      { xid: hello.xid, chall_C: cardHello.chall_C },
      { od, purchAmt },
      new Date(),
    );
    const r = await f.send(INS.E2_SESSION_KEY, message);
    expectSw(r, SW.OK);
    const forBuyer = readE2OrderForBuyer(r.data);
    expect(forBuyer).toMatchObject({ nonForward: true, order: { od, purchAmt } });
    expect(Buffer.from(r.data).toString("latin1")).not.toContain(PAN);
    const confirmed = await f.send(INS.E2_CONFIRM);
    expectSw(confirmed, SW.OK);
    expect(Buffer.from(confirmed.data).toString("latin1")).not.toContain(PAN);
    const info = await receiveE2CardInfo(
      p,
      confirmed.data,
      sessionKey,
      { ...hello, cardholderCertificate: f.pki.cardholder.certificate },
      { trust: { pinnedRoot: f.pki.root.certificate, at: new Date() }, now: new Date() },
    );
    expect(info.info.pan).toBe(PAN);
    // One confirmation: the exchange is over.
    expectSw(await f.send(INS.E2_CONFIRM), SW.OUT_OF_ORDER);
  });

  it("E2_CONFIRM before the order was opened is out of order", async () => {
    await helloAnswered();
    expectSw(await f.send(INS.E2_CONFIRM), SW.OUT_OF_ORDER);
  });

  it("refuses a key message from another merchant than the hello's, or for another amount; either ends the exchange", async () => {
    const cardHello = await helloAnswered();
    const byGateway = await sealE2SessionKey(
      p,
      signer(f, "gatewaySig"),
      cardHello.cardKey,
      { xid: hello.xid, chall_C: cardHello.chall_C },
      { od, purchAmt },
      new Date(),
    );
    const r = await f.send(INS.E2_SESSION_KEY, byGateway.message);
    expect(failureOf(r)).toBe("thumbsMismatch");
    expectSw(await f.send(INS.E2_SESSION_KEY, byGateway.message), SW.OUT_OF_ORDER);

    const again = await helloAnswered();
    const more = await sealE2SessionKey(
      p,
      signer(f, "merchantSig"),
      again.cardKey,
      { xid: hello.xid, chall_C: again.chall_C },
      { od, purchAmt: { ...purchAmt, amount: 99999 } },
      new Date(),
    );
    const r2 = await f.send(INS.E2_SESSION_KEY, more.message);
    expect(failureOf(r2)).toBe("unspecifiedFailure");
    expectSw(await f.send(INS.E2_CONFIRM), SW.OUT_OF_ORDER);
  });
});
