/**
 * The native host's session with a scripted extension: what it accepts from the extension, what it
 * refuses before any purchase (each with its own sentence), and how outcomes read for the buyer.
 * The purchase itself against a real phone and shop runs in packages/lab's browser e2e test.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { type Initiation, initiationFormat, writeInitiation } from "@setlab/protocol";
import { SET_PAYMENT_INITIATION } from "@setlab/runtime";
import type { Outcome } from "./mediator";
import { type HostChannel, outcomeMessage, runNativeHost } from "./nativeHost";
import { inquiryOutcomeMessage } from "./nativeHostInquiry";
import { type HostMessage, nativeHostProtocol } from "./nativeHostProtocol";

let server: http.Server;
let origin: string;
let closedPort: number;

const initiations: Record<string, (o: string) => Initiation> = {
  "/orders/7/initiation": (o) => initiation(o),
  "/orders/8/initiation": (o) => ({
    ...initiation(o),
    profile: "set",
    terms: { recurringDays: 30, recurringExpiry: "2099-12-31" },
  }),
  "/orders/9/initiation": (o) => ({
    ...initiation(o),
    profile: "embodiment-1",
    embodimentUrl: `${o}/set/embodiment`,
  }),
};

const initiation = (o: string): Initiation => ({
  format: initiationFormat,
  setUrl: `${o}/set`,
  orderUrl: `${o}/orders/7/status`,
  brands: ["Visa"],
  lidM: "order-7",
  purchAmt: { currency: 392, amount: 1280, amtExp10: 0 },
  od: Buffer.from("2 x sticker", "utf8").toString("base64"),
  language: "en",
  profile: "hardened",
  unsignedAllowed: [],
  returnUrl: `${o}/orders/7/done`,
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const served = initiations[req.url ?? ""];
    if (served) {
      res.setHeader("content-type", SET_PAYMENT_INITIATION);
      res.end(writeInitiation(served(origin)));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A channel that plays the extension's messages in order, then closes; it records the host's. */
function scripted(messages: Record<string, unknown>[]): HostChannel & { sent: HostMessage[] } {
  const queue = [...messages];
  const sent: HostMessage[] = [];
  return { sent, send: (m) => sent.push(m), next: async () => queue.shift() };
}

const start = (over: Record<string, unknown> = {}) => ({
  type: "start",
  protocol: nativeHostProtocol,
  initiationUrl: `${origin}/orders/7/initiation`,
  pageOrigin: origin,
  ...over,
});

const host = (channel: HostChannel, cards = ["visa-approve"]) =>
  runNativeHost(channel, {
    phone: { host: "127.0.0.1", port: closedPort },
    pairingCode: "123456",
    cards,
    timeouts: { connectMs: 2000, cardMs: 2000, httpMs: 2000 },
  });

describe("the native host before the purchase", () => {
  it("shows the order it read from the page's initiation object, with the profile", async () => {
    const channel = scripted([start()]);
    expect(await host(channel)).toBeUndefined();
    expect(channel.sent).toEqual([
      {
        type: "order",
        purpose: "purchase",
        profile: "hardened",
        merchantOrigin: origin,
        description: "2 x sticker",
        amount: "JPY 1280",
        brands: ["Visa"],
        cards: ["visa-approve"],
        needs: ["card", "pin"],
      },
    ]);
  });

  it("shows the order's installment or recurring terms, which the card will sign", async () => {
    const channel = scripted([start({ initiationUrl: `${origin}/orders/8/initiation` })]);
    await host(channel);
    expect(channel.sent).toMatchObject([
      { type: "order", purpose: "purchase", terms: "every 30 days until 2099-12-31" },
    ]);
  });

  it("ends quietly when the browser closes the pipe before anything", async () => {
    const channel = scripted([]);
    expect(await host(channel)).toBeUndefined();
    expect(channel.sent).toEqual([]);
  });

  const pay = (cardId: string, pin = "1234") => ({ type: "pay", cardId, pin });
  it.each<[string, () => Record<string, unknown>[], string]>([
    ["a first message that is not start", () => [pay("visa-approve")], "did not start"],
    ["another protocol version", () => [start({ protocol: "setlab-native/0" })], "did not start"],
    ["an unknown message", () => [{ type: "hello" }], "did not start"],
    ["an initiation address that is no URL", () => [start({ initiationUrl: "not a url" })], "not a URL"],
    [
      "an initiation object on another origin",
      () => [start({ initiationUrl: "http://127.0.0.2:9/orders/7/initiation" })],
      "not on the page's own site",
    ],
    [
      "a file instead of a URL",
      () => [start({ initiationUrl: "file:///etc/passwd", pageOrigin: "null" })],
      "not on the page's own site",
    ],
    [
      "an initiation object the shop does not serve",
      () => [start({ initiationUrl: `${origin}/nothing` })],
      "could not be read",
    ],
    [
      "an answer to the order that is not pay",
      () => [start(), start()],
      "answered the order with something else",
    ],
    [
      "a confirmation instead of pay",
      () => [start(), { type: "confirmation", confirmed: true }],
      "answered the order with something else",
    ],
    [
      "a confirmation that is neither yes nor no",
      () => [start(), { type: "confirmation", confirmed: "yes" }],
      "answered the order with something else",
    ],
    ["a card not on the phone", () => [start(), pay("mc-approve")], "not on your phone"],
    ["a malformed card id", () => [start(), pay("../x")], "not on your phone"],
    ["an over-long PIN", () => [start(), pay("visa-approve", "1".repeat(13))], "something else"],
  ])("refuses %s", async (_what, messages, reason) => {
    const channel = scripted(messages());
    const outcome = await host(channel);
    expect(outcome?.outcome).toBe("refused");
    expect(outcome?.reason).toContain(reason);
    expect(outcome?.message).toMatch(/^The payment did not start: .*\.$/);
    expect(channel.sent.at(-1)).toEqual(outcome);
  });

  it("takes the buyer's cancel as the end", async () => {
    const channel = scripted([start(), { type: "cancel" }]);
    expect(await host(channel)).toMatchObject({ outcome: "refused", message: "You cancelled the payment." });
  });

  it("runs the purchase for a listed card and reports a phone it cannot reach as a failure", async () => {
    const channel = scripted([start(), { type: "pay", cardId: "visa-approve", pin: "1234" }]);
    const outcome = await host(channel);
    expect(outcome).toMatchObject({ outcome: "failed", returnUrl: `${origin}/orders/7/done` });
    expect(outcome?.message).toMatch(/^The payment could not be completed: /);
  });

  it("takes any well-formed card id when no list is configured", async () => {
    const channel = scripted([start(), { type: "pay", cardId: "mc-approve", pin: "1234" }]);
    expect((await host(channel, []))?.outcome).toBe("failed");
  });
});

describe("the native host for an inquiry (the shop's order page)", () => {
  const xid = "0123456789abcdef0123456789abcdef01234567";
  const inquiry = (over: Record<string, unknown> = {}) => start({ purpose: "inquiry", xid, ...over });
  const inquire = (cardId = "visa-approve") => ({ type: "inquire", cardId, pin: "1234" });

  it("shows the order as a question, then runs the card's inquiry; a phone it cannot reach is a failure", async () => {
    const channel = scripted([inquiry(), inquire()]);
    const outcome = await host(channel);
    expect(channel.sent[0]).toMatchObject({ type: "order", purpose: "inquiry", amount: "JPY 1280" });
    expect(outcome).toMatchObject({ outcome: "failed", returnUrl: `${origin}/orders/7/done` });
    expect(outcome?.message).toMatch(/^The question could not be completed: /);
  });

  it.each<[string, () => Record<string, unknown>[], string]>([
    ["an inquiry without an XID", () => [inquiry({ xid: undefined })], "did not start"],
    ["an XID that is not 40 hex digits", () => [inquiry({ xid: "12" })], "did not start"],
    ["a purchase that names an XID", () => [start({ xid })], "did not start"],
    ["an unknown purpose", () => [start({ purpose: "refund" })], "did not start"],
    [
      "pay in answer to an inquiry",
      () => [inquiry(), { type: "pay", cardId: "visa-approve", pin: "1" }],
      "something else",
    ],
    ["inquire in answer to a purchase", () => [start(), inquire()], "something else"],
    ["a card not on the phone", () => [inquiry(), inquire("mc-approve")], "not on your phone"],
    [
      "an order paid under an embodiment",
      () => [inquiry({ initiationUrl: `${origin}/orders/9/initiation` })],
      "not paid with SET",
    ],
  ])("refuses %s", async (_what, messages, reason) => {
    const channel = scripted(messages());
    const outcome = await host(channel);
    expect(outcome?.outcome).toBe("refused");
    expect(outcome?.reason).toContain(reason);
  });

  it("takes the buyer's cancel as the end of the question", async () => {
    const channel = scripted([inquiry(), { type: "cancel" }]);
    expect(await host(channel)).toMatchObject({ outcome: "refused", message: "You cancelled the question." });
  });

  it("reads the card's verified answer to the buyer", () => {
    const i = initiation("http://shop.example");
    const o = (over: Partial<Outcome>): Outcome => ({ outcome: "approved", steps: [], ...over });
    expect(
      inquiryOutcomeMessage(
        o({ completionCode: "capturePerformed", amount: { currency: 392, amount: 1280, amtExp10: 0 } }),
        i,
      ).message,
    ).toBe("Your card checked the shop's signed answer: paid, JPY 1280 (capturePerformed).");
    expect(
      inquiryOutcomeMessage(o({ outcome: "orderReceived", completionCode: "orderReceived" }), i).message,
    ).toBe(
      "Your card checked the shop's signed answer: the shop has no answer from your card company yet (orderReceived).",
    );
    expect(
      inquiryOutcomeMessage(o({ outcome: "declined", completionCode: "orderRejected" }), i).message,
    ).toBe("Your card checked the shop's signed answer: not paid (orderRejected).");
    expect(
      inquiryOutcomeMessage(
        o({ outcome: "refused", reason: "the merchant refused the InqReq: unknownXID" }),
        i,
      ).message,
    ).toBe("No verified answer: the merchant refused the InqReq: unknownXID.");
  });
});

describe("outcomes as the buyer reads them", () => {
  const i = initiation("http://shop.example");
  const o = (over: Partial<Outcome>): Outcome => ({ outcome: "approved", steps: [], ...over });

  it("approved with the amount, partial with the amount approved", () => {
    expect(outcomeMessage(o({ amount: i.purchAmt }), i).message).toBe("Approved: JPY 1280.");
    expect(
      outcomeMessage(
        o({ outcome: "partiallyApproved", amount: { currency: 392, amount: 1000, amtExp10: 0 } }),
        i,
      ).message,
    ).toBe("Approved for JPY 1000 only, less than the order's total.");
  });

  it("declined with the reason the completion code gives", () => {
    expect(outcomeMessage(o({ outcome: "declined", completionCode: "orderRejected" }), i).message).toBe(
      "Declined: your card company did not approve the payment.",
    );
    expect(outcomeMessage(o({ outcome: "declined", completionCode: "somethingElse" }), i).message).toBe(
      "Declined: completion code somethingElse.",
    );
  });

  it("refused and failed in one plain sentence with the reason", () => {
    expect(outcomeMessage(o({ outcome: "refused", reason: "wrong PIN: 2 tries left" }), i).message).toBe(
      "The payment did not go ahead: wrong PIN: 2 tries left.",
    );
    expect(outcomeMessage(o({ outcome: "orderReceived" }), i).message).toMatch(
      /no answer from your card company/,
    );
    expect(outcomeMessage(o({ outcome: "failed", reason: "the phone is off" }), i)).toMatchObject({
      message: "The payment could not be completed: the phone is off.",
      returnUrl: "http://shop.example/orders/7/done",
    });
  });
});
