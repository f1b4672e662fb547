/**
 * The purchase phases on their own, with an in-memory card and merchant: what each sends, what it
 * records, what it refuses. The real phone, link and merchant are in purchase.e2e.test.ts.
 */
import { encodeCardData, INS, SetError, SW, wrongPin } from "@setlab/protocol";
import { CardTransportError } from "@setlab/protocol/card-link";
import { sampleInitiation as initiation } from "@setlab/protocol/testing";
import { expectOk, PurchaseStop } from "./cardAnswers";
import { cardPurchase } from "./cardPurchase";
import { cardResult, purchaseResult } from "./cardResult";
import { verifyPin } from "./cardSelection";
import type { CardAnswer, CardSession } from "./cardSession";
import type { MerchantAnswer } from "./merchantAnswer";
import type { MerchantChannel } from "./merchantChannel";
import { expectPInitRes, pInitExchange } from "./pInitExchange";
import { pinBuffer } from "./pinBuffer";
import { expectPResOrError, pReqExchange } from "./pReqExchange";
import { timeoutsOf } from "./purchaseOptions";
import { stopOf } from "./purchaseStops";
import { PurchaseTrace } from "./purchaseTrace";

const stop = (kind: "refused" | "failed", message: RegExp) =>
  expect.objectContaining({ constructor: PurchaseStop, kind, message: expect.stringMatching(message) });
const ok = (data: Uint8Array = new Uint8Array(0)): CardAnswer => ({ sw: SW.OK, data });
const bytes = (n: number) => new Uint8Array(n).fill(7);
const xid = new Uint8Array(20).fill(0xab);

/**
 * A card that answers each command from `answers` and keeps what it was sent; `flights` holds the
 * commands of each write, so a test sees which went together.
 */
function fakeCard(answers: Partial<Record<number, CardAnswer>>) {
  const sent: { ins: number; data: Uint8Array; sensitive: boolean }[] = [];
  const flights: number[][] = [];
  const answer = (ins: number, data: Uint8Array, sensitive = false) => {
    sent.push({ ins, data: new Uint8Array(data), sensitive });
    const found = answers[ins];
    if (!found) throw new CardTransportError("timeout", "no answer");
    return found;
  };
  const transmit = async (ins: number, data: Uint8Array, sensitive = false) => {
    flights.push([ins]);
    return answer(ins, data, sensitive);
  };
  const card: CardSession = {
    transmit,
    flight: async (commands, onAnswer) => {
      flights.push(commands.map((c) => c.ins));
      return commands.map((c, i) => {
        const a = answer(c.ins, c.data, c.sensitive);
        onAnswer?.(i, a);
        return a;
      });
    },
    command: async (ins, data) => expectOk(ins, await transmit(ins, data)),
    close: async () => {},
  };
  return { card, sent, flights };
}

function fakeMerchant(bytesBack: Uint8Array, answer: MerchantAnswer) {
  const posted: { der: Uint8Array; sent: string }[] = [];
  const channel: MerchantChannel = async (der, sent) => {
    posted.push({ der, sent });
    return { bytes: bytesBack, answer };
  };
  return { channel, posted };
}

const stepsOf = (trace: PurchaseTrace) => trace.steps.map((s) => `${s.step} ${s.from}>${s.to} ${s.message}`);

describe("timeoutsOf", () => {
  test("fills each missing wait with its default, keeps the ones given", () => {
    expect(timeoutsOf(undefined)).toEqual({ httpMs: 30_000, cardMs: 30_000, connectMs: 5_000 });
    expect(timeoutsOf({ cardMs: 10 })).toEqual({ httpMs: 30_000, cardMs: 10, connectMs: 5_000 });
  });
});

describe("PurchaseTrace", () => {
  test("keeps every step and hands it to onStep; a failing onStep stops nothing", () => {
    const seen: string[] = [];
    const trace = new PurchaseTrace(undefined, (s) => {
      seen.push(s.step);
      throw new Error("printer broke");
    });
    trace.record({ step: "select", from: "mediator", to: "card", message: "SELECT" });
    trace.record({ step: "pin", from: "mediator", to: "card", message: "VERIFY_PIN" });
    expect(seen).toEqual(["select", "pin"]);
    expect(trace.finish({ outcome: "failed" })).toEqual({ outcome: "failed", steps: trace.steps });
  });
});

describe("the PIN", () => {
  test("digits only, 4 to 12: anything else is refused and the caller's buffer wiped", () => {
    expect(pinBuffer("1234")).toEqual(new Uint8Array(Buffer.from("1234")));
    for (const bad of ["123", "1234567890123", "12a4"])
      expect(() => pinBuffer(bad)).toThrow(stop("refused", /4 to 12 digits/));
    const given = new Uint8Array(Buffer.from("12x45"));
    expect(() => pinBuffer(given)).toThrow(PurchaseStop);
    expect(given).toEqual(new Uint8Array(5));
  });

  test("VERIFY_PIN is sent as sensitive; the buffer is wiped whether the card accepts or refuses it", async () => {
    const accepted = fakeCard({ [INS.VERIFY_PIN]: ok() });
    const pin = pinBuffer("5820");
    const trace = new PurchaseTrace();
    await verifyPin(accepted.card, pin, trace);
    expect(accepted.sent).toEqual([
      { ins: INS.VERIFY_PIN, data: new Uint8Array(Buffer.from("5820")), sensitive: true },
    ]);
    expect(pin).toEqual(new Uint8Array(4));
    expect(stepsOf(trace)).toEqual(["pin mediator>card VERIFY_PIN"]);

    const refused = fakeCard({ [INS.VERIFY_PIN]: { sw: wrongPin(2), data: new Uint8Array(0) } });
    const again = pinBuffer("5820");
    await expect(verifyPin(refused.card, again, new PurchaseTrace())).rejects.toEqual(
      stop("refused", /wrong PIN: 2 tries left/),
    );
    expect(again).toEqual(new Uint8Array(4));

    const lost = fakeCard({});
    const third = pinBuffer("5820");
    await expect(verifyPin(lost.card, third, new PurchaseTrace())).rejects.toBeInstanceOf(CardTransportError);
    expect(third).toEqual(new Uint8Array(4));
  });
});

describe("the PInitReq / PInitRes exchange", () => {
  test("only a PInitRes goes on: an Error is a refusal, another message a fault", () => {
    expect(() => expectPInitRes({ type: "purchaseInitResponse" })).not.toThrow();
    expect(() => expectPInitRes({ type: "error", error: "unknownLID (signed)" })).toThrow(
      stop("refused", /refused the PInitReq: unknownLID \(signed\)/),
    );
    expect(() => expectPInitRes({ type: "purchaseResponse" })).toThrow(
      stop("failed", /answered the PInitReq with PRes/),
    );
  });

  test("relays the card's PInitReq to the merchant and hands back its PInitRes; learns the XID", async () => {
    const pInitReq = bytes(300);
    const pInitRes = bytes(900);
    const { card, sent, flights } = fakeCard({ [INS.PINIT_REQUEST]: ok(pInitReq) });
    const merchant = fakeMerchant(pInitRes, { type: "purchaseInitResponse", xid: "cd".repeat(20) });
    const trace = new PurchaseTrace();
    const reply = await pInitExchange(card, merchant.channel, initiation, "Visa", trace);
    expect(reply.bytes).toEqual(pInitRes);
    expect(flights).toEqual([[INS.PINIT_REQUEST]]);
    expect(sent[0].sensitive).toBe(false);
    expect(merchant.posted).toEqual([{ der: pInitReq, sent: "PInitReq" }]);
    expect(stepsOf(trace)).toEqual([
      "S32 card>mediator PInitReq",
      "S32 mediator>merchant PInitReq",
      "S33 merchant>mediator PInitRes",
    ]);
    expect(trace.facts).toEqual({ xid: "cd".repeat(20) });
  });

  test("with a PIN: VERIFY_PIN (sensitive) and PINIT_REQUEST in one flight, the PIN wiped after", async () => {
    const { card, sent, flights } = fakeCard({ [INS.VERIFY_PIN]: ok(), [INS.PINIT_REQUEST]: ok(bytes(300)) });
    const merchant = fakeMerchant(bytes(900), { type: "purchaseInitResponse", xid: "cd".repeat(20) });
    const pin = pinBuffer("5820");
    const trace = new PurchaseTrace();
    await pInitExchange(card, merchant.channel, initiation, "Visa", trace, pin);
    expect(flights).toEqual([[INS.VERIFY_PIN, INS.PINIT_REQUEST]]);
    expect(sent[0]).toEqual({
      ins: INS.VERIFY_PIN,
      data: new Uint8Array(Buffer.from("5820")),
      sensitive: true,
    });
    expect(pin).toEqual(new Uint8Array(4));
    expect(stepsOf(trace)[0]).toBe("pin mediator>card VERIFY_PIN");
  });

  test("a refused PIN is the reason given, not the PINIT_REQUEST the card then refused; nothing reaches the merchant", async () => {
    const { card } = fakeCard({
      [INS.VERIFY_PIN]: { sw: wrongPin(1), data: new Uint8Array(0) },
      [INS.PINIT_REQUEST]: { sw: SW.PIN_NOT_VERIFIED, data: new Uint8Array(0) },
    });
    const merchant = fakeMerchant(bytes(900), { type: "purchaseInitResponse" });
    const pin = pinBuffer("0000");
    await expect(
      pInitExchange(card, merchant.channel, initiation, "Visa", new PurchaseTrace(), pin),
    ).rejects.toEqual(stop("refused", /wrong PIN: 1 try left/));
    expect(pin).toEqual(new Uint8Array(4));
    expect(merchant.posted).toEqual([]);

    const lost = fakeCard({});
    const again = pinBuffer("5820");
    await expect(
      pInitExchange(lost.card, merchant.channel, initiation, "Visa", new PurchaseTrace(), again),
    ).rejects.toBeInstanceOf(CardTransportError);
    expect(again).toEqual(new Uint8Array(4));
  });

  test("a merchant's Error is reported and never reaches the card", async () => {
    const { card, sent } = fakeCard({ [INS.PINIT_REQUEST]: ok(bytes(10)) });
    const merchant = fakeMerchant(bytes(50), { type: "error", error: "unspecifiedFailure" });
    const trace = new PurchaseTrace();
    await expect(pInitExchange(card, merchant.channel, initiation, "Visa", trace)).rejects.toEqual(
      stop("refused", /refused the PInitReq/),
    );
    expect(sent.map((s) => s.ins)).toEqual([INS.PINIT_REQUEST]);
    expect(trace.steps.at(-1)).toMatchObject({ step: "S33", message: "Error", detail: "unspecifiedFailure" });
  });
});

describe("the card's check of the PInitRes and its PURCHASE", () => {
  const pInitRes = { bytes: bytes(900), answer: { type: "purchaseInitResponse" as const } };
  const accepted = ok(
    encodeCardData("PInitResAnswer", { merchantName: "Shop", merID: "M1", gateway: "CN=G", xid }),
  );

  test("PINIT_RESPONSE with the merchant's bytes and PURCHASE in one flight; the PReq back, the merchant learnt", async () => {
    const pReq = bytes(2000);
    const { card, sent, flights } = fakeCard({ [INS.PINIT_RESPONSE]: accepted, [INS.PURCHASE]: ok(pReq) });
    const trace = new PurchaseTrace();
    trace.facts.xid = "cd".repeat(20);
    expect(await cardPurchase(card, pInitRes, initiation, "dualSigned", trace)).toEqual(pReq);
    expect(flights).toEqual([[INS.PINIT_RESPONSE, INS.PURCHASE]]);
    expect(sent[0].data).toEqual(pInitRes.bytes);
    expect(stepsOf(trace)).toEqual(["S34-S35 mediator>card PInitRes", "S36-S37 card>mediator PReq"]);
    // The header's XID is the one reported; the card's is the fallback.
    expect(trace.facts).toEqual({ xid: "cd".repeat(20), merchant: { name: "Shop", merID: "M1" } });
    const fallback = new PurchaseTrace();
    await cardPurchase(card, pInitRes, initiation, "dualSigned", fallback);
    expect(fallback.facts.xid).toBe("ab".repeat(20));
  });

  test("the PInitRes's check is reported as soon as its answer arrives, while the PURCHASE's may still wait for the buyer", async () => {
    const trace = new PurchaseTrace();
    let stepsBeforePurchaseAnswer: string[] = [];
    const { card } = fakeCard({});
    const waiting: CardSession = {
      ...card,
      flight: async (_commands, onAnswer) => {
        onAnswer?.(0, accepted);
        stepsBeforePurchaseAnswer = stepsOf(trace);
        const built = ok(bytes(2000));
        onAnswer?.(1, built);
        return [accepted, built];
      },
    };
    await cardPurchase(waiting, pInitRes, initiation, "dualSigned", trace);
    expect(stepsBeforePurchaseAnswer).toEqual(["S34-S35 mediator>card PInitRes"]);
    expect(stepsOf(trace)).toEqual(["S34-S35 mediator>card PInitRes", "S36-S37 card>mediator PReq"]);
  });

  test("a refused PInitRes is the reason given, not the PURCHASE the card then refused as out of order", async () => {
    const { card } = fakeCard({
      [INS.PINIT_RESPONSE]: {
        sw: SW.SET_CHECK_FAILED,
        data: encodeCardData("SetCheckFailure", { errorCode: "signatureFailure", message: "bad signature" }),
      },
      [INS.PURCHASE]: { sw: SW.OUT_OF_ORDER, data: new Uint8Array(0) },
    });
    const trace = new PurchaseTrace();
    await expect(cardPurchase(card, pInitRes, initiation, "dualSigned", trace)).rejects.toEqual(
      stop("refused", /refused PINIT_RESPONSE: .*signatureFailure/),
    );
    expect(trace.steps).toEqual([]);
  });

  test("an accepted PInitRes and a refused PURCHASE: the PURCHASE's reason", async () => {
    const { card } = fakeCard({
      [INS.PINIT_RESPONSE]: accepted,
      [INS.PURCHASE]: { sw: SW.OUT_OF_ORDER, data: encodeCardData("OutOfOrderReason", "cardholderDeclined") },
    });
    const trace = new PurchaseTrace();
    await expect(cardPurchase(card, pInitRes, initiation, "dualSigned", trace)).rejects.toEqual(
      stop("refused", /refused PURCHASE: cardholderDeclined/),
    );
    expect(stepsOf(trace)).toEqual(["S34-S35 mediator>card PInitRes"]);
  });
});

describe("the PReq / PRes exchange and the card's result", () => {
  test("a PRes or an Error goes on to the card; anything else is a fault", async () => {
    expect(() => expectPResOrError({ type: "purchaseResponse" })).not.toThrow();
    expect(() => expectPResOrError({ type: "error" })).not.toThrow();
    expect(() => expectPResOrError({ type: "purchaseInitResponse" })).toThrow(
      stop("failed", /answered the PReq with PInitRes/),
    );
    const trace = new PurchaseTrace();
    trace.facts.xid = "ab".repeat(20);
    const merchant = fakeMerchant(bytes(700), { type: "purchaseResponse", xid: "cd".repeat(20) });
    const reply = await pReqExchange(bytes(2000), merchant.channel, trace);
    expect(reply.bytes).toHaveLength(700);
    expect(stepsOf(trace)).toEqual(["S38-S41 mediator>merchant PReq", "S52-S54 merchant>mediator PRes"]);
    expect(trace.facts.xid).toBe("ab".repeat(20));
  });

  test("the outcome: the PRes's CompletionCode and AuthAmt; a merchant Error is a refusal", () => {
    const amt = initiation.purchAmt;
    const pRes: MerchantAnswer = { type: "purchaseResponse" };
    expect(purchaseResult(pRes, { completionCode: "authorizationPerformed" }, amt)).toEqual({
      outcome: "approved",
      completionCode: "authorizationPerformed",
      amount: amt,
      reason: undefined,
    });
    const less = { ...amt, amount: 100 };
    expect(
      purchaseResult(pRes, { completionCode: "authorizationPerformed", authAmt: less }, amt),
    ).toMatchObject({
      outcome: "partiallyApproved",
      amount: less,
    });
    expect(() => purchaseResult(pRes, { error: "unknownXID (signed SET Error)" }, amt)).toThrow(
      stop("refused", /refused the PReq: unknownXID \(signed SET Error\)/),
    );
    expect(() => purchaseResult({ type: "error", error: "x" }, {}, amt)).toThrow(
      stop("refused", /refused the PReq: x/),
    );
    expect(() => purchaseResult({ type: "error" }, {}, amt)).toThrow(
      stop("refused", /refused the PReq: SET Error/),
    );
  });

  test("the card reads the PRes: PURCHASE_RESPONSE carries the merchant's bytes, the step names the message", async () => {
    const pResBytes = bytes(700);
    const { card, sent } = fakeCard({
      [INS.PURCHASE_RESPONSE]: ok(
        encodeCardData("PurchaseOutcome", { type: "pRes", value: { completionCode: "orderReceived" } }),
      ),
    });
    const trace = new PurchaseTrace();
    const result = await cardResult(
      card,
      { bytes: pResBytes, answer: { type: "purchaseResponse" } },
      initiation.purchAmt,
      trace,
    );
    expect(result.outcome).toBe("orderReceived");
    expect(sent[0].data).toEqual(pResBytes);
    expect(trace.steps).toEqual([
      { step: "S55-S56", from: "mediator", to: "card", message: "PRes", bytes: 700, detail: "orderReceived" },
    ]);
  });
});

describe("stopOf", () => {
  test("a failed pairing or a missing bond is a refusal; other link failures, SET errors and faults fail", () => {
    expect(stopOf(new CardTransportError("pairing", "wrong code"))).toEqual(stop("refused", /^wrong code$/));
    expect(stopOf(new CardTransportError("unbonded", "no bond"))).toEqual(stop("refused", /^no bond$/));
    expect(stopOf(new CardTransportError("timeout", "slow"))).toEqual(stop("failed", /^slow$/));
    expect(stopOf(new SetError("decodingFailure", "bad DER"))).toEqual(stop("failed", /bad DER/));
    expect(stopOf(new TypeError("x is undefined\n    at y"))).toEqual(
      stop("failed", /^internal fault: x is undefined$/),
    );
    const own = new PurchaseStop("refused", "mine");
    expect(stopOf(own)).toBe(own);
  });
});
