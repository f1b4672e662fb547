import { encodeDer } from "../asn1/codec";
import { sha256Hex } from "../cert/digest";
import { nodeProvider } from "../crypto/provider";
import { S, type Signer } from "../crypto/signedMessage";
import { SetLab } from "../schema/oids";
import { InqReqData, type PResData } from "../schema/purchase";
import { cachedTestKeyPair, createTestParty, createTestPki, type TestPki } from "../testing/pki";
import type { AnsweredRequests } from "./answeredRequests";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { buildInqReq, type InqReqInput } from "./inqReq";
import { signInqRes } from "./inqRes";
import { type InquiredPurchase, receiveInqReq } from "./receiveInqReq";
import { receiveInqRes } from "./receiveInqRes";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const day = new Date(Date.UTC(2026, 10, 25, 12));
const id = (n: number) => new Uint8Array(20).fill(n);
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;

let pki: TestPki;
let m: MessageFixture;
let cardholder: Signer;
let stranger: Signer;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  cardholder = m.signer("cardholder");
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

const transIDs = () => m.f.order.transIDs;
/** The purchase's Chall-C (PInitReq's, in OIData). */
const purchaseChallC = () => m.f.input.oiData.chall_C;

const signedPurchase = (): InquiredPurchase => ({
  transIDs: transIDs(),
  cardholder: sha256Hex(pki.cardholder.certificate),
  chall_C: purchaseChallC(),
});
const unsignedPurchase = (): InquiredPurchase => ({ transIDs: transIDs(), chall_C: purchaseChallC() });

async function inqReq(
  input: Partial<InqReqInput> = {},
  options: { date?: Date; ids?: WrapperIds } = {},
): Promise<Uint8Array> {
  const full: InqReqInput = {
    transIDs: transIDs(),
    rrpid: id(0x31),
    chall_C2: id(0x32),
    signer: cardholder,
    ...input,
  };
  const value = await buildInqReq(p, full);
  const t = full.transIDs;
  return wrapMessage(
    { type: "inquiryRequest", value },
    options.ids ?? { rrpid: full.rrpid, lid_C: t.lid_C, lid_M: t.lid_M, xid: t.xid },
    { date: options.date ?? new Date() },
  );
}

const receiver = (purchase: InquiredPurchase | undefined, over: Record<string, unknown> = {}) => ({
  trust: { ...m.trust, at: new Date() },
  now: new Date(),
  purchaseOf: (xidHex: string) =>
    purchase && xidHex === Buffer.from(purchase.transIDs.xid).toString("hex") ? purchase : undefined,
  ...over,
});

describe("InqReq", () => {
  it("the merchant takes a signed InqReq from the purchase's cardholder", async () => {
    const got = await receiveInqReq(p, await inqReq(), receiver(signedPurchase()));
    expect(got.repeat).toBe(false);
    if (got.repeat) return;
    expect(got.data.chall_C2).toEqual(id(0x32));
    expect(got.cardholderCertificate?.der).toEqual(pki.cardholder.certificate);
  });

  it("takes an unsigned InqReq with the proof for a purchase paid unsigned", async () => {
    const bytes = await inqReq({ signer: undefined, chall_C: purchaseChallC() });
    const got = await receiveInqReq(p, bytes, receiver(unsignedPurchase()));
    expect(got.repeat).toBe(false);
  });

  it("a repeat of an answered InqReq is a repeat, another request under its RRPID unknownRRPID", async () => {
    const bytes = await inqReq();
    const { fingerprintOf } = await import("./incoming");
    const answered: AnsweredRequests = { fingerprintOf: () => fingerprintOf(bytes) };
    expect((await receiveInqReq(p, bytes, receiver(signedPurchase(), { answered }))).repeat).toBe(true);
    const other = await inqReq({ chall_C2: id(0x33) });
    expect(await code(receiveInqReq(p, other, receiver(signedPurchase(), { answered })))).toBe(
      "unknownRRPID",
    );
  });

  describe("another buyer's transaction gets unknownXID, whatever gives it away", () => {
    it("an XID no purchase has", async () => {
      expect(await code(receiveInqReq(p, await inqReq(), receiver(undefined)))).toBe("unknownXID");
    });

    it("signed by another cardholder (a valid certificate of the same brand)", async () => {
      const e = await rejection(
        receiveInqReq(p, await inqReq({ signer: stranger }), receiver(signedPurchase())),
      );
      expect(e.code).toBe("unknownXID");
      expect(e.thumb).toBeUndefined();
    });

    it("unsigned, for a purchase paid signed (even with the right proof)", async () => {
      const bytes = await inqReq({ signer: undefined, chall_C: purchaseChallC() });
      expect(await code(receiveInqReq(p, bytes, receiver(signedPurchase())))).toBe("unknownXID");
    });

    it("unsigned without the proof, for a purchase paid unsigned", async () => {
      const bytes = await inqReq({ signer: undefined });
      expect(await code(receiveInqReq(p, bytes, receiver(unsignedPurchase())))).toBe("unknownXID");
    });

    it("a proof keyed with another Chall-C", async () => {
      const bytes = await inqReq({ signer: undefined, chall_C: id(0x99) });
      expect(await code(receiveInqReq(p, bytes, receiver(unsignedPurchase())))).toBe("unknownXID");
    });

    it("signed by a stranger for a purchase paid unsigned, without the proof", async () => {
      const bytes = await inqReq({ signer: stranger });
      expect(await code(receiveInqReq(p, bytes, receiver(unsignedPurchase())))).toBe("unknownXID");
    });

    it("a proof made for another request (its RRPID changed after the MAC)", async () => {
      const proved = await buildInqReq(p, {
        transIDs: transIDs(),
        rrpid: id(0x31),
        chall_C2: id(0x32),
        chall_C: purchaseChallC(),
      });
      if (proved.type !== "inqReqUnsigned") throw new Error("unsigned expected");
      const moved = { ...proved.value, rrpid: id(0x41) };
      const bytes = wrapMessage(
        { type: "inquiryRequest", value: { type: "inqReqUnsigned", value: moved } },
        {},
        {
          date: new Date(),
        },
      );
      expect(await code(receiveInqReq(p, bytes, receiver(unsignedPurchase())))).toBe("unknownXID");
    });

    it("the right XID with another LID-C (TransIDs not the purchase's)", async () => {
      const bytes = await inqReq({ transIDs: { ...transIDs(), lid_C: Uint8Array.of(9) } });
      expect(await code(receiveInqReq(p, bytes, receiver(signedPurchase())))).toBe("unknownXID");
    });
  });

  it("refuses a broken signature (signatureFailure)", async () => {
    const bytes = await inqReq();
    expect(await code(receiveInqReq(p, flip(bytes, -1), receiver(signedPurchase())))).toBe(
      "signatureFailure",
    );
  });

  it("refuses a signed InqReq under another content type (signatureFailure)", async () => {
    const data = { transIDs: transIDs(), rrpid: id(0x31), chall_C2: id(0x32) };
    const value = await S(p, cardholder, "2.23.42.0.14", encodeDer(InqReqData, data));
    const bytes = wrapMessage(
      { type: "inquiryRequest", value: { type: "inqReqSigned", value } },
      {},
      {
        date: new Date(),
      },
    );
    expect(await code(receiveInqReq(p, bytes, receiver(signedPurchase())))).toBe("signatureFailure");
  });

  it("refuses a signer that is not a cardholder (a merchant certificate: invalidCertificate)", async () => {
    const bytes = await inqReq({ signer: m.signer("merchantSig") });
    expect(await code(receiveInqReq(p, bytes, receiver(signedPurchase())))).toBe("invalidCertificate");
  });

  it("refuses header ids that differ from InqReqData (wrapperMsgMismatch)", async () => {
    const t = transIDs();
    const bytes = await inqReq({}, { ids: { rrpid: id(0x31), xid: id(0x55) } });
    expect(await code(receiveInqReq(p, bytes, receiver(signedPurchase())))).toBe("wrapperMsgMismatch");
    const rrpid = await inqReq({}, { ids: { rrpid: id(0x56), xid: t.xid } });
    expect(await code(receiveInqReq(p, rrpid, receiver(signedPurchase())))).toBe("wrapperMsgMismatch");
  });

  it("refuses an old or future header date (messageTooOld, messageTooNew)", async () => {
    const hour = 3600_000;
    const old = await inqReq({}, { date: new Date(Date.now() - hour) });
    expect(await code(receiveInqReq(p, old, receiver(signedPurchase())))).toBe("messageTooOld");
    const future = await inqReq({}, { date: new Date(Date.now() + hour) });
    expect(await code(receiveInqReq(p, future, receiver(signedPurchase())))).toBe("messageTooNew");
  });

  it("refuses an unknown critical extension (unrecognizedExtension)", async () => {
    const data = {
      transIDs: transIDs(),
      rrpid: id(0x31),
      chall_C2: id(0x32),
      inqRqExtensions: [{ extnID: "1.3.6.1.4.1.32473.99", critical: true, extnValue: Uint8Array.of(5, 0) }],
    };
    const bytes = wrapMessage(
      { type: "inquiryRequest", value: { type: "inqReqUnsigned", value: data } },
      {},
      {
        date: new Date(),
      },
    );
    const e = await rejection(receiveInqReq(p, bytes, receiver(unsignedPurchase())));
    expect(e.code).toBe("unrecognizedExtension");
  });

  it("refuses another message type (messageNotSupported)", async () => {
    const bytes = wrapMessage(
      { type: "inquiryResponse", value: await signInqRes(p, m.signer("merchantSig"), m.pResData) },
      {},
      {
        date: new Date(),
      },
    );
    expect(await code(receiveInqReq(p, bytes, receiver(signedPurchase())))).toBe("messageNotSupported");
  });

  it("the signed form uses SET Lab's InqReqData content type", async () => {
    const built = await buildInqReq(p, {
      transIDs: transIDs(),
      rrpid: id(1),
      chall_C2: id(2),
      signer: cardholder,
    });
    expect(built.type).toBe("inqReqSigned");
    expect(SetLab.InqReqData).toBe("1.3.6.1.4.1.32473.1.3");
  });
});

describe("InqRes", () => {
  const inqRRPID = id(0x31);
  const chall_C2 = id(0x32);
  const data = (over: Partial<PResData> = {}): PResData => ({
    ...m.pResData,
    rrpid: inqRRPID,
    chall_C: chall_C2,
    pResPayloadSeq: [
      {
        completionCode: "authorizationPerformed",
        results: {
          authStatus: { authDate: new Date(Date.UTC(2026, 10, 25, 12)), authAmt: m.f.order.purchAmt },
        },
      },
    ],
    ...over,
  });
  const wrap = async (d: PResData, signer = m.signer("merchantSig"), ids?: WrapperIds) =>
    wrapMessage(
      { type: "inquiryResponse", value: await signInqRes(p, signer, d) },
      ids ?? { rrpid: d.rrpid, lid_C: d.transIDs.lid_C, lid_M: d.transIDs.lid_M, xid: d.transIDs.xid },
      { date: new Date() },
    );
  const expected = (over: Record<string, unknown> = {}) => ({
    rrpid: inqRRPID,
    chall_C2,
    xid: transIDs().xid,
    lid_C: transIDs().lid_C,
    merchantCertificate: pki.merchantSig.certificate,
    purchAmt: m.f.order.purchAmt,
    brandID: "Visa",
    ...over,
  });
  const card = () => ({ trust: { ...m.trust, at: new Date() } });

  it("the card verifies the merchant's InqRes", async () => {
    const got = await receiveInqRes(p, await wrap(data()), expected(), card());
    expect(got.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
  });

  it("refuses the purchase's PRes replayed as the answer (challengeMismatch)", async () => {
    const pRes = await wrap(data({ chall_C: m.pResData.chall_C }));
    expect(await code(receiveInqRes(p, pRes, expected(), card()))).toBe("challengeMismatch");
  });

  it("refuses an earlier InqRes replayed for a new inquiry (challengeMismatch)", async () => {
    const earlier = await wrap(data());
    expect(await code(receiveInqRes(p, earlier, expected({ chall_C2: id(0x42) }), card()))).toBe(
      "challengeMismatch",
    );
  });

  it("refuses an answer to another InqReq (unknownRRPID)", async () => {
    expect(await code(receiveInqRes(p, await wrap(data()), expected({ rrpid: id(0x43) }), card()))).toBe(
      "unknownRRPID",
    );
  });

  it("refuses another XID (unknownXID) and another LID-C (unknownLID)", async () => {
    expect(await code(receiveInqRes(p, await wrap(data()), expected({ xid: id(0x44) }), card()))).toBe(
      "unknownXID",
    );
    expect(
      await code(receiveInqRes(p, await wrap(data()), expected({ lid_C: Uint8Array.of(4) }), card())),
    ).toBe("unknownLID");
  });

  it("refuses a forged InqRes: a broken signature (signatureFailure)", async () => {
    expect(await code(receiveInqRes(p, flip(await wrap(data()), -1), expected(), card()))).toBe(
      "signatureFailure",
    );
  });

  it("refuses an InqRes signed by another certificate than the purchase's merchant (thumbsMismatch)", async () => {
    const e = await rejection(
      receiveInqRes(
        p,
        await wrap(data()),
        expected({ merchantCertificate: pki.merchantKex.certificate }),
        card(),
      ),
    );
    expect(e.code).toBe("thumbsMismatch");
  });

  it("refuses an InqRes signed by a gateway (role pgwy: invalidCertificate)", async () => {
    const byGateway = await wrap(data(), m.signer("gatewaySig"));
    const e = await rejection(
      receiveInqRes(p, byGateway, expected({ merchantCertificate: pki.gatewaySig.certificate }), card()),
    );
    expect(e.code).toBe("invalidCertificate");
  });

  it("refuses header ids that differ from PResData (wrapperMsgMismatch)", async () => {
    const bytes = await wrap(data(), undefined, { rrpid: inqRRPID, xid: id(0x45) });
    expect(await code(receiveInqRes(p, bytes, expected(), card()))).toBe("wrapperMsgMismatch");
  });

  it("refuses a PRes in its place (messageNotSupported)", async () => {
    const d = data();
    const bytes = wrapMessage(
      { type: "purchaseResponse", value: await signInqRes(p, m.signer("merchantSig"), d) },
      { rrpid: d.rrpid },
      { date: new Date() },
    );
    expect(await code(receiveInqRes(p, bytes, expected(), card()))).toBe("messageNotSupported");
  });

  describe("the status must fit the purchase", () => {
    const amt = () => m.f.order.purchAmt;
    it("an authorization over the purchase amount", async () => {
      const d = data({
        pResPayloadSeq: [
          {
            completionCode: "authorizationPerformed",
            results: {
              authStatus: { authDate: day, authAmt: { ...amt(), amount: amt().amount + 1 } },
            },
          },
        ],
      });
      expect(await code(receiveInqRes(p, await wrap(d), expected(), card()))).toBe("unspecifiedFailure");
    });

    it("an authorization in another currency", async () => {
      const d = data({
        pResPayloadSeq: [
          {
            completionCode: "authorizationPerformed",
            results: {
              authStatus: { authDate: day, authAmt: { currency: 840, amount: 1, amtExp10: -2 } },
            },
          },
        ],
      });
      expect(await code(receiveInqRes(p, await wrap(d), expected(), card()))).toBe("unspecifiedFailure");
    });

    it("a capture over the authorization", async () => {
      const d = data({
        pResPayloadSeq: [
          {
            completionCode: "capturePerformed",
            results: {
              authStatus: { authDate: day, authAmt: { ...amt(), amount: 10 } },
              capStatus: { capDate: day, capAmt: { ...amt(), amount: 11 } },
            },
          },
        ],
      });
      expect(await code(receiveInqRes(p, await wrap(d), expected(), card()))).toBe("unspecifiedFailure");
    });

    it("authorizationPerformed without an AuthStatus", async () => {
      const d = data({ pResPayloadSeq: [{ completionCode: "authorizationPerformed" }] });
      expect(await code(receiveInqRes(p, await wrap(d), expected(), card()))).toBe("unspecifiedFailure");
    });

    it("creditPerformed without a CredStatus, or a credit in another currency", async () => {
      const none = data({ pResPayloadSeq: [{ completionCode: "creditPerformed" }] });
      expect(await code(receiveInqRes(p, await wrap(none), expected(), card()))).toBe("unspecifiedFailure");
      const usd = data({
        pResPayloadSeq: [
          {
            completionCode: "creditPerformed",
            results: {
              credStatusSeq: [{ creditDate: day, creditAmt: { currency: 840, amount: 1, amtExp10: -2 } }],
            },
          },
        ],
      });
      expect(await code(receiveInqRes(p, await wrap(usd), expected(), card()))).toBe("unspecifiedFailure");
    });

    it("a purchase of several authorizations: each payload is judged, a later one too", async () => {
      const part = (amount: number): PResData["pResPayloadSeq"][number] => ({
        completionCode: "authorizationPerformed",
        results: { authStatus: { authDate: day, authAmt: { ...amt(), amount } } },
      });
      const split = data({
        pResPayloadSeq: [part(1), part(amt().amount), { completionCode: "orderRejected" }],
      });
      const got = await receiveInqRes(p, await wrap(split), expected(), card());
      expect(got.pResPayloadSeq.map((x) => x.completionCode)).toEqual([
        "authorizationPerformed",
        "authorizationPerformed",
        "orderRejected",
      ]);
      const over = data({ pResPayloadSeq: [part(1), part(amt().amount + 1)] });
      expect(await code(receiveInqRes(p, await wrap(over), expected(), card()))).toBe("unspecifiedFailure");
    });

    it("orderReceived without a status is fine", async () => {
      const d = data({ pResPayloadSeq: [{ completionCode: "orderReceived" }] });
      await expect(receiveInqRes(p, await wrap(d), expected(), card())).resolves.toBeDefined();
    });
  });
});
