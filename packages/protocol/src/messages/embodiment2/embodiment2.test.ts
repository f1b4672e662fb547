/**
 * The first steps of the second embodiment, built by one end and received by the other over a
 * real test PKI; each negative test breaks one thing a receive function checks.
 */
import { nodeProvider } from "../../crypto/provider";
import type { Signer } from "../../crypto/signedMessage";
import { decodeEmbodimentMessage, type E2CardInfo } from "../../schema/embodiments";
import { createTestPki, type TestPki } from "../../testing/pki";
import { wrapEmbodiment } from "../embodiment1/envelope";
import { flip, rejection } from "../fixture.test-helper";
import { receiveE2CardHello, signE2CardHello } from "./e2CardHello";
import {
  receiveE2CardInfo,
  receiveE2CardInfoForCardCompany,
  sealE2CardInfo,
  sealE2CardInfoForCardCompany,
} from "./e2CardInfo";
import { buildE2Init, receiveE2Init } from "./e2Init";
import { receiveE2MerchantHello, signE2MerchantHello } from "./e2MerchantHello";
import { buildE2OrderForBuyer, isNonForward, readE2OrderForBuyer } from "./e2OrderForBuyer";
import { receiveE2SessionKey, sealE2SessionKey } from "./e2SessionKey";

const p = nodeProvider();
const now = new Date();
const fill = (n: number) => new Uint8Array(20).fill(n);
const lid_M = new TextEncoder().encode("order-7");
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const hello = { lid_M, xid: fill(0x10), chall_M: fill(0x50), purchAmt, brands: ["Visa"] };
const order = { od: new TextEncoder().encode("1 x SET Lab mug"), purchAmt };

let pki: TestPki;
let trust: { pinnedRoot: Uint8Array; at: Date };
let cardKeys: CryptoKeyPair;
let cardKey: Uint8Array;
const signer = (name: "merchantSig" | "cardholder" | "gatewaySig"): Signer => ({
  certificate: pki[name].certificate,
  privateKey: pki[name].privateKey,
  chain: pki.intermediatesOf(name),
});

beforeAll(async () => {
  pki = await createTestPki(p);
  trust = { pinnedRoot: pki.root.certificate, at: now };
  cardKeys = (await p.crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  )) as CryptoKeyPair;
  cardKey = new Uint8Array(await p.crypto.subtle.exportKey("spki", cardKeys.publicKey));
});

describe("E2Init", () => {
  it("round-trips; an old one is messageTooOld", () => {
    expect(receiveE2Init(buildE2Init({ lid_M }, now), { now })).toEqual({ lid_M });
    expect(() => receiveE2Init(buildE2Init({ lid_M }, new Date(now.getTime() - 3_600_000)), { now })).toThrow(
      expect.objectContaining({ code: "messageTooOld" }),
    );
  });
});

describe("E2MerchantHello: the card checks the shop first", () => {
  it("reads a hello signed by a merchant of its brand", async () => {
    const got = await receiveE2MerchantHello(
      p,
      await signE2MerchantHello(p, signer("merchantSig"), hello, now),
      { brand: "Visa", lid_M },
      { trust, now },
    );
    expect(got.data).toEqual(hello);
    expect(got.merchant.der).toEqual(pki.merchantSig.certificate);
  });

  it("refuses a signer that is no merchant, another brand, another LID-M, a shop that does not take its brand, a bad signature", async () => {
    const good = await signE2MerchantHello(p, signer("merchantSig"), hello, now);
    const byGateway = await signE2MerchantHello(p, signer("gatewaySig"), hello, now);
    const receive = (m: Uint8Array, brand = "Visa", l = lid_M) =>
      rejection(receiveE2MerchantHello(p, m, { brand, lid_M: l }, { trust, now }));
    expect((await receive(byGateway)).code).toBe("invalidCertificate");
    expect((await receive(good, "MasterCard")).code).toBe("invalidCertificate");
    expect((await receive(good, "Visa", Uint8Array.of(1))).code).toBe("unknownLID");
    const noVisa = await signE2MerchantHello(p, signer("merchantSig"), { ...hello, brands: ["JCB"] }, now);
    expect((await receive(noVisa)).code).toBe("unspecifiedFailure");
    const signed = decodeEmbodimentMessage(good).message.value as Uint8Array;
    expect(
      (await receive(wrapEmbodiment({ type: "e2MerchantHello", value: flip(signed, -3) }, now))).code,
    ).toBe("signatureFailure");
  });
});

describe("E2CardHello: the card answers with its certificate and a key", () => {
  const expected = { xid: hello.xid, chall_M: hello.chall_M, brands: ["Visa"] };
  const data = () => ({ xid: hello.xid, chall_M: hello.chall_M, chall_C: fill(0x70), cardKey });

  it("the merchant reads it", async () => {
    const got = await receiveE2CardHello(
      p,
      await signE2CardHello(p, signer("cardholder"), data(), now),
      expected,
      {
        trust,
        now,
      },
    );
    expect(got.data).toEqual(data());
    expect(got.cardholder.der).toEqual(pki.cardholder.certificate);
  });

  it("refuses a signer that is no cardholder, another XID or Chall-M, a brand the shop does not take, a weak key", async () => {
    const receive = async (d = data(), by = signer("cardholder"), e = expected) =>
      rejection(receiveE2CardHello(p, await signE2CardHello(p, by, d, now), e, { trust, now }));
    expect((await receive(data(), signer("merchantSig"))).code).toBe("invalidCertificate");
    expect((await receive({ ...data(), xid: fill(1) })).code).toBe("unknownXID");
    expect((await receive({ ...data(), chall_M: fill(1) })).code).toBe("challengeMismatch");
    expect((await receive(data(), signer("cardholder"), { ...expected, brands: ["MasterCard"] })).code).toBe(
      "unspecifiedFailure",
    );
    expect((await receive({ ...data(), cardKey: Uint8Array.of(0x30, 0x00) })).code).toBe("decodingFailure");
    const small = (await p.crypto.subtle.generateKey(
      { name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["encrypt", "decrypt"],
    )) as CryptoKeyPair;
    const smallKey = new Uint8Array(await p.crypto.subtle.exportKey("spki", small.publicKey));
    expect((await receive({ ...data(), cardKey: smallKey })).code).toBe("decodingFailure");
  });
});

describe("E2SessionKey: the session key to the card's key, the order under it", () => {
  const ids = { xid: hello.xid, chall_C: fill(0x70) };
  const expected = () => ({ ...ids, merchantCertificate: pki.merchantSig.certificate, brand: "Visa" });

  it("the card opens the key and the order", async () => {
    const sealed = await sealE2SessionKey(p, signer("merchantSig"), cardKey, ids, order, now);
    const got = await receiveE2SessionKey(p, sealed.message, expected(), {
      trust,
      cardKey: cardKeys.privateKey,
    });
    expect(got.sessionKey).toEqual(sealed.sessionKey);
    expect(got.order).toEqual(order);
  });

  it("refuses another merchant than the hello's, another XID or Chall-C, a key block it cannot open", async () => {
    const sealed = await sealE2SessionKey(p, signer("merchantSig"), cardKey, ids, order, now);
    const receive = (m: Uint8Array, e = expected(), key = cardKeys.privateKey) =>
      rejection(receiveE2SessionKey(p, m, e, { trust, cardKey: key }));
    expect(
      (await receive(sealed.message, { ...expected(), merchantCertificate: pki.merchantKex.certificate }))
        .code,
    ).toBe("thumbsMismatch");
    expect((await receive(sealed.message, { ...expected(), xid: fill(1) })).code).toBe("unknownXID");
    expect((await receive(sealed.message, { ...expected(), chall_C: fill(1) })).code).toBe(
      "challengeMismatch",
    );
    const other = (await p.crypto.subtle.generateKey(
      { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      false,
      ["encrypt", "decrypt"],
    )) as CryptoKeyPair;
    const e = await receive(sealed.message, expected(), other.privateKey);
    expect(e.code).toBe("decodingFailure");
    expect(e.message).toMatch(/decryption failed/);
    const signed = decodeEmbodimentMessage(sealed.message).message.value as Uint8Array;
    expect((await receive(wrapEmbodiment({ type: "e2SessionKey", value: flip(signed, -3) }, now))).code).toBe(
      "signatureFailure",
    );
  });
});

describe("E2SessionKey's card-company option (claims 7-8)", () => {
  const ids = { xid: hello.xid, chall_C: fill(0x70) };
  const expected = () => ({ ...ids, merchantCertificate: pki.merchantSig.certificate, brand: "Visa" });
  const naming = (chain: Uint8Array[]) =>
    sealE2SessionKey(p, signer("merchantSig"), cardKey, ids, order, now, chain);

  it("the card takes the gateway key-exchange certificate the merchant names, with its path", async () => {
    const sealed = await naming([pki.gatewayKex.certificate, ...pki.intermediatesOf("gatewayKex")]);
    const got = await receiveE2SessionKey(p, sealed.message, expected(), {
      trust,
      cardKey: cardKeys.privateKey,
    });
    expect(got.cardCompanyCertificate).toEqual(pki.gatewayKex.certificate);
    const plain = await sealE2SessionKey(p, signer("merchantSig"), cardKey, ids, order, now);
    expect(
      (await receiveE2SessionKey(p, plain.message, expected(), { trust, cardKey: cardKeys.privateKey }))
        .cardCompanyCertificate,
    ).toBeUndefined();
  });

  it("refuses a key that is not a gateway's key-exchange key of the card's brand: the merchant's own, a signature key, another brand", async () => {
    const receive = async (chain: Uint8Array[], brand = "Visa") =>
      rejection(
        receiveE2SessionKey(
          p,
          (await naming(chain)).message,
          { ...expected(), brand },
          {
            trust,
            cardKey: cardKeys.privateKey,
          },
        ),
      );
    expect((await receive([pki.merchantKex.certificate, ...pki.intermediatesOf("merchantKex")])).code).toBe(
      "invalidCertificate",
    );
    expect((await receive([pki.gatewaySig.certificate, ...pki.intermediatesOf("gatewaySig")])).code).toBe(
      "invalidCertificate",
    );
    expect(
      (await receive([pki.gatewayKex.certificate, ...pki.intermediatesOf("gatewayKex")], "MasterCard")).code,
    ).toBe("invalidCertificate");
  });
});

describe("E2OrderForBuyer: the non-forward flag", () => {
  it("the card always marks the order non-forward; the mediator reads it and knows not to relay it", () => {
    const bytes = buildE2OrderForBuyer({ merchantName: "SET Lab Test Shop", order }, now);
    expect(readE2OrderForBuyer(bytes)).toEqual({
      nonForward: true,
      merchantName: "SET Lab Test Shop",
      order,
    });
    expect(isNonForward(bytes)).toBe(true);
    expect(isNonForward(buildE2Init({ lid_M }, now))).toBe(false);
    expect(isNonForward(Uint8Array.of(1, 2))).toBe(false);
  });

  it("an order not marked non-forward is refused", () => {
    const unmarked = wrapEmbodiment(
      { type: "e2OrderForBuyer", value: { nonForward: false, merchantName: "x", order } },
      now,
    );
    expect(() => readE2OrderForBuyer(unmarked)).toThrow(
      expect.objectContaining({ code: "unspecifiedFailure" }),
    );
  });
});

describe("E2CardInfo: the card information under the session key", () => {
  const sessionKey = new Uint8Array(32).fill(0x42);
  const info = {
    lid_M,
    xid: hello.xid,
    chall_M: hello.chall_M,
    chall_C: fill(0x70),
    purchAmt,
    brandID: "Visa",
    pan: "4111111111111111113",
    cardExpiry: "202912",
    panSecret: fill(0x90),
  };
  const expected = () => ({
    lid_M,
    xid: hello.xid,
    chall_M: hello.chall_M,
    purchAmt,
    brands: ["Visa"],
    cardholderCertificate: pki.cardholder.certificate,
  });

  it("the merchant opens it with the session key and checks it as the first embodiment's", async () => {
    const sealed = await sealE2CardInfo(p, signer("cardholder"), sessionKey, info, now);
    const got = await receiveE2CardInfo(p, sealed, sessionKey, expected(), { trust, now });
    expect(got.info).toEqual(info);
    // The PAN does not travel in clear.
    expect(Buffer.from(sealed).toString("latin1")).not.toContain(info.pan);
  });

  it("refuses another session key, another card than the hello's, a routing XID other than the signed one, another Chall-M", async () => {
    const sealed = await sealE2CardInfo(p, signer("cardholder"), sessionKey, info, now);
    const wrong = await rejection(
      receiveE2CardInfo(p, sealed, new Uint8Array(32), expected(), { trust, now }),
    );
    expect(wrong.code).toBe("decodingFailure");
    const other = await rejection(
      receiveE2CardInfo(
        p,
        sealed,
        sessionKey,
        { ...expected(), cardholderCertificate: pki.merchantSig.certificate },
        {
          trust,
          now,
        },
      ),
    );
    expect(other.code).toBe("thumbsMismatch");
    const body = decodeEmbodimentMessage(sealed).message.value as E2CardInfo;
    const rerouted = wrapEmbodiment({ type: "e2CardInfo", value: { ...body, xid: fill(3) } }, now);
    expect(
      (await rejection(receiveE2CardInfo(p, rerouted, sessionKey, expected(), { trust, now }))).code,
    ).toBe("wrapperMsgMismatch");
    expect(
      (
        await rejection(
          receiveE2CardInfo(p, sealed, sessionKey, { ...expected(), chall_M: fill(9) }, { trust, now }),
        )
      ).code,
    ).toBe("challengeMismatch");
  });
});

describe("E2CardInfo sealed to the card company (claims 7-8)", () => {
  const sessionKey = new Uint8Array(32).fill(0x42);
  const info = {
    lid_M,
    xid: hello.xid,
    chall_M: hello.chall_M,
    chall_C: fill(0x70),
    purchAmt,
    brandID: "Visa",
    pan: "4111111111111111113",
    cardExpiry: "202912",
    panSecret: fill(0x90),
  };

  it("the merchant takes it unopened: the routing XID and the envelope, no PAN in sight", async () => {
    const sealed = await sealE2CardInfoForCardCompany(
      p,
      signer("cardholder"),
      pki.gatewayKex.certificate,
      info,
      now,
    );
    const got = receiveE2CardInfoForCardCompany(sealed, { now });
    expect(got.xid).toEqual(hello.xid);
    expect(Buffer.from(sealed).toString("latin1")).not.toContain(info.pan);
  });

  it("each receiver refuses the other option's form, and an old message", async () => {
    const toCompany = await sealE2CardInfoForCardCompany(
      p,
      signer("cardholder"),
      pki.gatewayKex.certificate,
      info,
      now,
    );
    const underKey = await sealE2CardInfo(p, signer("cardholder"), sessionKey, info, now);
    expect(() => receiveE2CardInfoForCardCompany(underKey, { now })).toThrow(
      expect.objectContaining({ code: "unspecifiedFailure" }),
    );
    const expected = {
      lid_M,
      xid: hello.xid,
      chall_M: hello.chall_M,
      purchAmt,
      brands: ["Visa"],
      cardholderCertificate: pki.cardholder.certificate,
    };
    expect(
      (await rejection(receiveE2CardInfo(p, toCompany, sessionKey, expected, { trust, now }))).code,
    ).toBe("unspecifiedFailure");
    expect(() =>
      receiveE2CardInfoForCardCompany(toCompany, { now: new Date(now.getTime() + 3_600_000) }),
    ).toThrow(expect.objectContaining({ code: "messageTooOld" }));
  });
});
