import { createHash } from "node:crypto";
import {
  decodeCardData,
  encodeCardData,
  errorMessage,
  INS,
  nodeProvider,
  receiveInqReq,
  SetError,
  type Signer,
  SW,
  schema,
  signInqRes,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import {
  answerOf,
  CARD_ID,
  type CardFixture,
  cardFixture,
  expectSw,
  failureOf,
  PIN,
} from "./cardFixture.test-helper";

const od = new TextEncoder().encode("1 x SET Lab mug");
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const p = nodeProvider();
const approved: schema.PResPayload = {
  completionCode: "authorizationPerformed",
  results: { authStatus: { authDate: wholeSeconds(new Date()), authAmt: purchAmt } },
};

let f: CardFixture;
afterEach(() => f?.cleanup());

async function selectAndPin(fx: CardFixture) {
  expectSw(await fx.send(INS.SELECT, CARD_ID), SW.OK);
  expectSw(await fx.send(INS.VERIFY_PIN, PIN), SW.OK);
}

/** A purchase the merchant answered `orderReceived`; the phone restarted since (a new session). */
async function purchasedAndReceived(fx: CardFixture, form: "dualSigned" | "unsigned" = "dualSigned") {
  await selectAndPin(fx);
  const req = await fx.send(INS.PINIT_REQUEST, { brand: "Visa", lidM: "order-7" });
  expectSw(await fx.send(INS.PINIT_RESPONSE, await fx.merchant.pInitRes(req.data)), SW.OK);
  const sent = await fx.send(INS.PURCHASE, { od, purchAmt, profile: "set", form });
  expectSw(sent, SW.OK);
  const { verified } = await fx.merchant.verifyPReq(sent.data, { od, purchAmt, cardCertRequired: false });
  const pRes = await fx.merchant.pRes(verified.oiData, { completionCode: "orderReceived" });
  expectSw(await fx.send(INS.PURCHASE_RESPONSE, pRes), SW.OK);
  await fx.restart();
  await selectAndPin(fx);
  return verified.oiData;
}

const inquire = (fx: CardFixture, xid?: Uint8Array) =>
  fx.send(INS.INQUIRY_REQUEST, encodeCardData("InquiryInput", xid ? { xid } : {}));

/** The merchant's side: receiveInqReq against the purchase, then an InqRes with `payload`. */
async function answer(
  fx: CardFixture,
  oiData: schema.OIData,
  inqReq: Uint8Array,
  payload: schema.PResPayload,
  options: { signed: boolean; bend?: (d: schema.PResData) => schema.PResData; signer?: Signer } = {
    signed: true,
  },
) {
  const received = await receiveInqReq(p, inqReq, {
    trust: { pinnedRoot: fx.pki.root.certificate, at: new Date() },
    now: new Date(),
    purchaseOf: () => ({
      transIDs: oiData.transIDs,
      chall_C: oiData.chall_C,
      ...(options.signed
        ? { cardholder: createHash("sha256").update(fx.pki.cardholder.certificate).digest("hex") }
        : {}),
    }),
  });
  if (received.repeat) throw new Error("not a repeat");
  const base: schema.PResData = {
    transIDs: oiData.transIDs,
    rrpid: received.data.rrpid,
    chall_C: received.data.chall_C2,
    pResPayloadSeq: [payload],
  };
  const data = options.bend ? options.bend(base) : base;
  return wrapMessage(
    { type: "inquiryResponse", value: await signInqRes(p, options.signer ?? fx.merchant.keys.signer, data) },
    { rrpid: data.rrpid, lid_C: data.transIDs.lid_C, lid_M: data.transIDs.lid_M, xid: data.transIDs.xid },
    { date: new Date() },
  );
}

describe("INQUIRY_REQUEST and INQUIRY_RESPONSE", () => {
  test("after orderReceived and a restart, the card asks signed and shows the merchant's answer, durably", async () => {
    f = await cardFixture();
    const oiData = await purchasedAndReceived(f);
    const inqReq = await inquire(f);
    expectSw(inqReq, SW.OK);
    const w = schema.decodeMessage(inqReq.data);
    expect(w.message.type === "inquiryRequest" && w.message.value.type).toBe("inqReqSigned");
    const r = await f.send(INS.INQUIRY_RESPONSE, await answer(f, oiData, inqReq.data, approved));
    expectSw(r, SW.OK);
    expect(answerOf("PurchaseOutcome", r)).toEqual({
      type: "pRes",
      value: { completionCode: "authorizationPerformed", authAmt: purchAmt },
    });
    await f.restart();
    expect(f.card.state.purchases?.at(-1)?.completionCode).toBe("authorizationPerformed");
    expect(f.card.state.lastTransaction?.completionCode).toBe("authorizationPerformed");
  });

  test("a purchase paid unsigned is asked about unsigned, with the proof the merchant checks", async () => {
    f = await cardFixture();
    const oiData = await purchasedAndReceived(f, "unsigned");
    const inqReq = await inquire(f, oiData.transIDs.xid);
    const w = schema.decodeMessage(inqReq.data);
    expect(w.message.type === "inquiryRequest" && w.message.value.type).toBe("inqReqUnsigned");
    const res = await answer(f, oiData, inqReq.data, approved, { signed: false });
    expectSw(await f.send(INS.INQUIRY_RESPONSE, res), SW.OK);
  });

  test("the purchase's PRes replayed as the answer: 6F00 challengeMismatch, and the card waits for the genuine one", async () => {
    f = await cardFixture();
    const oiData = await purchasedAndReceived(f);
    const inqReq = await inquire(f);
    const replayed = await f.merchant.pRes(oiData, approved, (d) => ({
      ...d,
      rrpid: (schema.decodeMessage(inqReq.data).messageHeader.rrpid as Uint8Array) ?? d.rrpid,
    }));
    const asInqRes = schema.decodeMessage(replayed);
    const forged = wrapMessage(
      { type: "inquiryResponse", value: asInqRes.message.value as Uint8Array },
      { rrpid: asInqRes.messageHeader.rrpid },
      { date: new Date() },
    );
    const r = await f.send(INS.INQUIRY_RESPONSE, forged);
    expectSw(r, SW.SET_CHECK_FAILED);
    expect(failureOf(r)).toBe("challengeMismatch");
    expectSw(await f.send(INS.INQUIRY_RESPONSE, await answer(f, oiData, inqReq.data, approved)), SW.OK);
  });

  test("an InqRes signed with another certificate than the purchase's merchant: 6F00 thumbsMismatch", async () => {
    f = await cardFixture();
    const oiData = await purchasedAndReceived(f);
    const inqReq = await inquire(f);
    const other = { certificate: f.pki.gatewaySig.certificate, privateKey: f.pki.gatewaySig.privateKey };
    const r = await f.send(
      INS.INQUIRY_RESPONSE,
      await answer(f, oiData, inqReq.data, approved, { signed: true, signer: other }),
    );
    expectSw(r, SW.SET_CHECK_FAILED);
    expect(failureOf(r)).toBe("thumbsMismatch");
  });

  test("a status over the purchase amount: 6F00 unspecifiedFailure", async () => {
    f = await cardFixture();
    const oiData = await purchasedAndReceived(f);
    const inqReq = await inquire(f);
    const over: schema.PResPayload = {
      completionCode: "authorizationPerformed",
      results: {
        authStatus: { authDate: wholeSeconds(new Date()), authAmt: { ...purchAmt, amount: 99999 } },
      },
    };
    const r = await f.send(INS.INQUIRY_RESPONSE, await answer(f, oiData, inqReq.data, over));
    expectSw(r, SW.SET_CHECK_FAILED);
    expect(failureOf(r)).toBe("unspecifiedFailure");
  });

  test("the merchant's SET Error is read as the outcome", async () => {
    f = await cardFixture();
    await purchasedAndReceived(f);
    const inqReq = await inquire(f);
    const refusal = await errorMessage(p, new SetError("unknownXID", "no"), inqReq.data);
    const r = await f.send(INS.INQUIRY_RESPONSE, refusal);
    expectSw(r, SW.OK);
    expect(decodeCardData("PurchaseOutcome", r.data)).toEqual({
      type: "error",
      value: { errorCode: "unknownXID", signed: false },
    });
  });

  test("out of order, unknown purchase, no PIN", async () => {
    f = await cardFixture();
    await purchasedAndReceived(f);
    expectSw(await f.send(INS.INQUIRY_RESPONSE, Uint8Array.of(0x30, 0)), SW.OUT_OF_ORDER);
    expectSw(await inquire(f, new Uint8Array(20).fill(3)), SW.BAD_DATA);
    expectSw(await f.send(INS.SELECT, CARD_ID), SW.OK);
    expectSw(await inquire(f), SW.PIN_NOT_VERIFIED);
  });
});
