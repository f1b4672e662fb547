/**
 * The first embodiment's messages, built by one end and received by the other, over a real test
 * PKI; each negative test breaks one thing a receive function checks.
 */
import { encodeDer } from "../../asn1/codec";
import { hashedAccountId } from "../../cert/accountId";
import type { Trust } from "../../cert/trust";
import { Enc } from "../../crypto/enc";
import { nodeProvider } from "../../crypto/provider";
import type { Signer } from "../../crypto/signedMessage";
import { SetError } from "../../errors";
import {
  decodeEmbodimentMessage,
  E1CardInfo,
  type E1InfoReq,
  encodeEmbodimentMessage,
} from "../../schema/embodiments";
import { createTestParty, createTestPki, type TestParty, type TestPki } from "../../testing/pki";
import { cardInfoToGatewayTypes } from "../embodiment2/e2CardInfo";
import { RemoteSetError } from "../errorMessage";
import { flip, rejection } from "../fixture.test-helper";
import { receiveE1AuthReq, sealE1AuthReq } from "./e1AuthReq";
import { receiveE1AuthRes, signE1AuthRes } from "./e1AuthRes";
import { buildE1InfoInit, receiveE1InfoInit } from "./e1InfoInit";
import { buildE1InfoReq, receiveE1InfoReq } from "./e1InfoReq";
import { receiveE1InfoRes, signE1InfoRes } from "./e1InfoRes";
import { receiveE1Result, signE1Result } from "./e1Result";
import { embodimentRefusal, isEmbodimentRefusal, wrapEmbodiment } from "./envelope";

const p = nodeProvider();
const now = new Date(Date.UTC(2026, 11, 6, 12, 0, 0));
const fill = (n: number, len = 20) => new Uint8Array(len).fill(n);
const lid_M = new TextEncoder().encode("order-7");
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const account = { pan: "4111111111111111113", cardExpiry: "202912", panSecret: fill(0x90) };

let pki: TestPki;
let card: TestParty;
let trust: Trust;
const signer = (party: TestParty, chain: Uint8Array[]): Signer => ({
  certificate: party.certificate,
  privateKey: party.privateKey,
  chain,
});
let cardSigner: Signer;
let merchantSigner: Signer;
let gatewaySigner: Signer;

const infoReq: E1InfoReq = {
  lid_M,
  xid: fill(0x10),
  chall_M: fill(0x50),
  purchAmt,
  brands: ["Visa", "MasterCard"],
};
const cardInfo: E1CardInfo = {
  lid_M,
  xid: infoReq.xid,
  chall_M: infoReq.chall_M,
  chall_C: fill(0x70),
  purchAmt,
  brandID: "Visa",
  ...account,
};
const expectations = { lid_M, xid: infoReq.xid, chall_M: infoReq.chall_M, purchAmt, brands: infoReq.brands };

beforeAll(async () => {
  pki = await createTestPki(p, { notBefore: new Date(Date.UTC(2026, 0, 1)) });
  // A cardholder certificate whose subject is the account's hashed id, as the CA issues them.
  card = await createTestParty(
    pki.cardholderCa,
    {
      name: await hashedAccountId(p, account.pan, account.cardExpiry, account.panSecret),
      roles: ["card"],
      use: "signature",
      brand: "Visa",
      notBefore: new Date(Date.UTC(2026, 0, 1)),
    },
    p,
  );
  trust = { pinnedRoot: pki.root.certificate, at: now };
  cardSigner = signer(card, pki.intermediatesOf("cardholder"));
  merchantSigner = signer(pki.merchantSig, pki.intermediatesOf("merchantSig"));
  gatewaySigner = signer(pki.gatewaySig, pki.intermediatesOf("gatewaySig"));
});

describe("the wrapper", () => {
  it("refuses bytes that are not DER, another version and an unknown message type", () => {
    const good = buildE1InfoInit({ lid_M }, now);
    expect(() => decodeEmbodimentMessage(flip(good, 1))).toThrow(
      expect.objectContaining({ code: "decodingFailure" }),
    );
    const wrapper = decodeEmbodimentMessage(good);
    const v0 = encodeEmbodimentMessage({ ...wrapper, version: 0 });
    const v2 = encodeEmbodimentMessage({ ...wrapper, version: 2 });
    expect(() => decodeEmbodimentMessage(v0)).toThrow(expect.objectContaining({ code: "versionTooOld" }));
    expect(() => decodeEmbodimentMessage(v2)).toThrow(expect.objectContaining({ code: "versionTooNew" }));
    // [20] is no message: the body's EXPLICIT tag changed from [0] (a0) to [20] (b4).
    const unknown = new Uint8Array(good);
    const at = unknown.indexOf(0xa0, 2 + 17) + 2;
    unknown[at] = 0xb4;
    expect(() => decodeEmbodimentMessage(unknown)).toThrow(
      expect.objectContaining({ code: "messageNotSupported" }),
    );
  });

  it("a refusal reads as the peer's RemoteSetError, and is recognised so it is never answered", () => {
    const refusal = embodimentRefusal(new SetError("unknownLID", "no such order", "E1InfoInit.lid-M"), now);
    expect(isEmbodimentRefusal(refusal)).toBe(true);
    expect(isEmbodimentRefusal(buildE1InfoInit({ lid_M }, now))).toBe(false);
    expect(isEmbodimentRefusal(Uint8Array.of(1, 2))).toBe(false);
    let caught: unknown;
    try {
      receiveE1InfoReq(refusal, { brand: "Visa" }, { now });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RemoteSetError);
    expect((caught as RemoteSetError).code).toBe("unknownLID");
  });

  it("another message type where one is expected is messageNotSupported", () => {
    const e = (() => {
      try {
        receiveE1InfoInit(buildE1InfoReq(infoReq, now), { now });
      } catch (x) {
        return x as SetError;
      }
    })();
    expect(e?.code).toBe("messageNotSupported");
  });
});

describe("E1InfoInit and E1InfoReq", () => {
  it("round-trip", () => {
    expect(receiveE1InfoInit(buildE1InfoInit({ lid_M }, now), { now })).toEqual({ lid_M });
    expect(receiveE1InfoReq(buildE1InfoReq(infoReq, now), { brand: "Visa", lid_M }, { now })).toEqual(
      infoReq,
    );
  });

  it("refuse a date beyond the skew either way", () => {
    const old = buildE1InfoInit({ lid_M }, new Date(now.getTime() - 3_600_000));
    const future = buildE1InfoReq(infoReq, new Date(now.getTime() + 3_600_000));
    expect(() => receiveE1InfoInit(old, { now })).toThrow(expect.objectContaining({ code: "messageTooOld" }));
    expect(() => receiveE1InfoReq(future, { brand: "Visa" }, { now })).toThrow(
      expect.objectContaining({ code: "messageTooNew" }),
    );
  });

  it("the card refuses another order than the one chosen, and a shop that does not take its brand", () => {
    const req = buildE1InfoReq(infoReq, now);
    expect(() => receiveE1InfoReq(req, { brand: "Visa", lid_M: Uint8Array.of(1) }, { now })).toThrow(
      expect.objectContaining({ code: "unknownLID" }),
    );
    expect(() => receiveE1InfoReq(req, { brand: "JCB" }, { now })).toThrow(
      expect.objectContaining({ code: "unspecifiedFailure", where: "E1InfoReq.brands" }),
    );
  });
});

describe("E1InfoRes: the card's certificate and card information", () => {
  let infoRes: Uint8Array;
  beforeAll(async () => {
    infoRes = await signE1InfoRes(p, cardSigner, cardInfo, now);
  });

  it("the merchant checks and reads it", async () => {
    const got = await receiveE1InfoRes(p, infoRes, expectations, { trust, now });
    expect(got.info).toEqual(cardInfo);
    expect(got.cardholder.der).toEqual(card.certificate);
  });

  it.each([
    ["LID-M", { lid_M: Uint8Array.of(9) }, "unknownLID"],
    ["XID", { xid: fill(0x11) }, "unknownXID"],
    ["Chall-M", { chall_M: fill(0x51) }, "challengeMismatch"],
    ["amount", { purchAmt: { ...purchAmt, amount: 1 } }, "unspecifiedFailure"],
    ["brand", { brands: ["MasterCard"] }, "unspecifiedFailure"],
  ])("refuses another %s than the request's", async (_what, change, code) => {
    const e = await rejection(receiveE1InfoRes(p, infoRes, { ...expectations, ...change }, { trust, now }));
    expect(e.code).toBe(code);
  });

  it("takes a lookup by the XID the card signed; an XID never issued is unknownXID", async () => {
    const lookup = async (xid: Uint8Array) => (xid[0] === 0x10 ? expectations : undefined);
    await expect(receiveE1InfoRes(p, infoRes, lookup, { trust, now })).resolves.toMatchObject({
      info: cardInfo,
    });
    const e = await rejection(receiveE1InfoRes(p, infoRes, async () => undefined, { trust, now }));
    expect(e.code).toBe("unknownXID");
  });

  it("refuses a signature that does not verify", async () => {
    const signed = decodeEmbodimentMessage(infoRes).message.value as Uint8Array;
    const damaged = wrapEmbodiment({ type: "e1InfoRes", value: flip(signed, -3) }, now);
    expect((await rejection(receiveE1InfoRes(p, damaged, expectations, { trust, now }))).code).toBe(
      "signatureFailure",
    );
  });

  it("refuses a signer that is not a cardholder (the merchant signs card information)", async () => {
    const byMerchant = await signE1InfoRes(p, merchantSigner, cardInfo, now);
    expect((await rejection(receiveE1InfoRes(p, byMerchant, expectations, { trust, now }))).code).toBe(
      "invalidCertificate",
    );
  });

  it("refuses a cardholder chained to another root", async () => {
    const other = await createTestPki(p);
    const e = await rejection(
      receiveE1InfoRes(p, infoRes, expectations, {
        trust: { pinnedRoot: other.root.certificate, at: now },
        now,
      }),
    );
    expect(e.code).toBe("invalidCertificate");
  });

  it("refuses a card whose information names another brand than its certificate", async () => {
    const res = await signE1InfoRes(p, cardSigner, { ...cardInfo, brandID: "MasterCard" }, now);
    expect((await rejection(receiveE1InfoRes(p, res, expectations, { trust, now }))).code).toBe(
      "invalidCertificate",
    );
  });

  it("refuses a card information signed as another content type", async () => {
    const asResult = await signE1Result(
      p,
      cardSigner,
      { xid: cardInfo.xid, chall_C: cardInfo.chall_C, completionCode: "orderReceived" },
      now,
    );
    const signed = decodeEmbodimentMessage(asResult).message.value as Uint8Array;
    const res = wrapEmbodiment({ type: "e1InfoRes", value: signed }, now);
    expect((await rejection(receiveE1InfoRes(p, res, expectations, { trust, now }))).code).toBe(
      "signatureFailure",
    );
  });
});

describe("E1AuthReq: the merchant asks the card company", () => {
  let signedCardInfo: Uint8Array;
  const authRRPID = fill(0xc0);
  const gatewayReceiver = () => ({
    decrypter: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
    trust,
    now,
  });
  const seal = (over: Partial<Parameters<typeof sealE1AuthReq>[3]> = {}, by = merchantSigner) =>
    sealE1AuthReq(
      p,
      by,
      pki.gatewayKex.certificate,
      {
        authRRPID,
        xid: cardInfo.xid,
        purchAmt,
        cardInfo: { type: "signed", value: signedCardInfo },
        ...over,
      },
      now,
    );

  beforeAll(async () => {
    const res = await signE1InfoRes(p, cardSigner, cardInfo, now);
    signedCardInfo = (await receiveE1InfoRes(p, res, expectations, { trust, now })).signedCardInfo;
  });

  it("the gateway opens it, checks merchant and card, and finds the account the certificate's", async () => {
    const got = await receiveE1AuthReq(p, await seal(), gatewayReceiver());
    expect(got.info).toEqual(cardInfo);
    expect(got.merchant.der).toEqual(pki.merchantSig.certificate);
    expect(got.cardholder.der).toEqual(card.certificate);
    expect(got.refusal).toBeUndefined();
    expect(got.repeat).toBe(false);
  });

  it("a retry is a repeat; the AuthRRPID reused by another request is unknownRRPID", async () => {
    const req = await seal();
    const first = await receiveE1AuthReq(p, req, gatewayReceiver());
    const answered = {
      fingerprintOf: (r: Uint8Array) =>
        r.every((b, i) => b === authRRPID[i]) ? first.fingerprint : undefined,
    };
    expect((await receiveE1AuthReq(p, req, { ...gatewayReceiver(), answered })).repeat).toBe(true);
    const e = await rejection(receiveE1AuthReq(p, await seal(), { ...gatewayReceiver(), answered }));
    expect(e.code).toBe("unknownRRPID");
  });

  it("a damaged envelope is the one decodingFailure", async () => {
    const sealed = decodeEmbodimentMessage(await seal()).message.value as Uint8Array;
    const damaged = wrapEmbodiment({ type: "e1AuthReq", value: flip(sealed, -20) }, now);
    expect((await rejection(receiveE1AuthReq(p, damaged, gatewayReceiver()))).code).toBe("decodingFailure");
  });

  it("opens card information the card sealed to it (the second embodiment's card-company option)", async () => {
    const toGateway = (recipient: Uint8Array) =>
      Enc(p, cardSigner, recipient, cardInfoToGatewayTypes, encodeDer(E1CardInfo, cardInfo));
    const sealed = await seal({
      cardInfo: { type: "sealedToGateway", value: await toGateway(pki.gatewayKex.certificate) },
    });
    const got = await receiveE1AuthReq(p, sealed, gatewayReceiver());
    expect(got.info).toEqual(cardInfo);
    expect(got.cardholder.der).toEqual(card.certificate);
    // Sealed to another key (the merchant's): the gateway cannot open it, the one decodingFailure.
    const elsewhere = await seal({
      cardInfo: { type: "sealedToGateway", value: await toGateway(pki.merchantKex.certificate) },
    });
    expect((await rejection(receiveE1AuthReq(p, elsewhere, gatewayReceiver()))).code).toBe("decodingFailure");
  });

  it("refuses a signer that is not a merchant", async () => {
    const e = await rejection(receiveE1AuthReq(p, await seal({}, gatewaySigner), gatewayReceiver()));
    expect(e.code).toBe("invalidCertificate");
  });

  it("refuses another XID or amount than the card signed", async () => {
    expect(
      (await rejection(receiveE1AuthReq(p, await seal({ xid: fill(0x12) }), gatewayReceiver()))).code,
    ).toBe("unknownXID");
    const more = await seal({ purchAmt: { ...purchAmt, amount: 99999 } });
    expect((await rejection(receiveE1AuthReq(p, more, gatewayReceiver()))).code).toBe("unspecifiedFailure");
  });

  it("refuses card information whose signature does not verify", async () => {
    const e = await rejection(
      receiveE1AuthReq(
        p,
        await seal({ cardInfo: { type: "signed", value: flip(signedCardInfo, -3) } }),
        gatewayReceiver(),
      ),
    );
    expect(e.code).toBe("signatureFailure");
  });

  it("refuses an old request", async () => {
    const e = await rejection(
      receiveE1AuthReq(p, await seal(), { ...gatewayReceiver(), now: new Date(now.getTime() + 3_600_000) }),
    );
    expect(e.code).toBe("messageTooOld");
  });

  it("a PAN that is not the certificate's account is piAuthMismatch; an expired card expiredCard", async () => {
    const wrongPan = await signE1InfoRes(p, cardSigner, { ...cardInfo, pan: "4111111111111111" }, now);
    const wrong = (await receiveE1InfoRes(p, wrongPan, expectations, { trust, now })).signedCardInfo;
    expect(
      (
        await receiveE1AuthReq(
          p,
          await seal({ cardInfo: { type: "signed", value: wrong } }),
          gatewayReceiver(),
        )
      ).refusal,
    ).toBe("piAuthMismatch");
    const late = { ...gatewayReceiver(), now: new Date(Date.UTC(2030, 0, 1)), trust: { ...trust } };
    // Dated with the late clock so that only the expiry differs.
    const req = await sealE1AuthReq(
      p,
      merchantSigner,
      pki.gatewayKex.certificate,
      { authRRPID, xid: cardInfo.xid, purchAmt, cardInfo: { type: "signed", value: signedCardInfo } },
      late.now,
    );
    expect((await receiveE1AuthReq(p, req, late)).refusal).toBe("expiredCard");
  });
});

describe("E1AuthRes and E1Result", () => {
  const authRRPID = fill(0xc0);
  const expectedAuth = { authRRPID, xid: cardInfo.xid, brand: "Visa" };

  it("the merchant reads the gateway's answer", async () => {
    const res = await signE1AuthRes(
      p,
      gatewaySigner,
      { authRRPID, xid: cardInfo.xid, authCode: "approved", authAmt: purchAmt },
      now,
    );
    await expect(receiveE1AuthRes(p, res, expectedAuth, { trust })).resolves.toEqual({
      authRRPID,
      xid: cardInfo.xid,
      authCode: "approved",
      authAmt: purchAmt,
    });
    expect(
      (await rejection(receiveE1AuthRes(p, res, { ...expectedAuth, authRRPID: fill(1) }, { trust }))).code,
    ).toBe("unknownRRPID");
    expect(
      (await rejection(receiveE1AuthRes(p, res, { ...expectedAuth, xid: fill(1) }, { trust }))).code,
    ).toBe("unknownXID");
    expect(
      (await rejection(receiveE1AuthRes(p, res, { ...expectedAuth, brand: "MasterCard" }, { trust }))).code,
    ).toBe("invalidCertificate");
  });

  it("the merchant refuses an answer signed by a merchant, or damaged", async () => {
    const byMerchant = await signE1AuthRes(
      p,
      merchantSigner,
      { authRRPID, xid: cardInfo.xid, authCode: "approved" },
      now,
    );
    expect((await rejection(receiveE1AuthRes(p, byMerchant, expectedAuth, { trust }))).code).toBe(
      "invalidCertificate",
    );
    const res = await signE1AuthRes(
      p,
      gatewaySigner,
      { authRRPID, xid: cardInfo.xid, authCode: "declined" },
      now,
    );
    const signed = decodeEmbodimentMessage(res).message.value as Uint8Array;
    const damaged = wrapEmbodiment({ type: "e1AuthRes", value: flip(signed, -3) }, now);
    expect((await rejection(receiveE1AuthRes(p, damaged, expectedAuth, { trust }))).code).toBe(
      "signatureFailure",
    );
  });

  it("the card checks the merchant's signed result: signer, XID, its own Chall-C", async () => {
    const data = {
      xid: cardInfo.xid,
      chall_C: cardInfo.chall_C,
      completionCode: "authorizationPerformed" as const,
      authAmt: purchAmt,
    };
    const result = await signE1Result(p, merchantSigner, data, now);
    const expected = { xid: cardInfo.xid, chall_C: cardInfo.chall_C, brand: "Visa" };
    const got = await receiveE1Result(p, result, expected, { trust });
    expect(got.data).toEqual(data);
    expect(got.merchant.der).toEqual(pki.merchantSig.certificate);
    expect((await rejection(receiveE1Result(p, result, { ...expected, xid: fill(3) }, { trust }))).code).toBe(
      "unknownXID",
    );
    expect(
      (await rejection(receiveE1Result(p, result, { ...expected, chall_C: fill(3) }, { trust }))).code,
    ).toBe("challengeMismatch");
    const byGateway = await signE1Result(p, gatewaySigner, data, now);
    expect((await rejection(receiveE1Result(p, byGateway, expected, { trust }))).code).toBe(
      "invalidCertificate",
    );
    const signed = decodeEmbodimentMessage(result).message.value as Uint8Array;
    const damaged = wrapEmbodiment({ type: "e1Result", value: flip(signed, -3) }, now);
    expect((await rejection(receiveE1Result(p, damaged, expected, { trust }))).code).toBe("signatureFailure");
  });
});
