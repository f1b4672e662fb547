import { INS, SW, wrongPin } from "@setlab/protocol";
import {
  authCodeNames,
  completionOf,
  expectOk,
  PurchaseStop,
  readPInitResAnswer,
  readPResAnswer,
  readSelect,
  refusalReason,
} from "./cardAnswers";

const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
const none = new Uint8Array(0);

function stops(f: () => unknown, kind: "refused" | "failed", pattern: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PurchaseStop);
    expect((e as PurchaseStop).kind).toBe(kind);
    expect((e as PurchaseStop).message).toMatch(pattern);
    return;
  }
  throw new Error("no PurchaseStop");
}

describe("status words become refusal reasons", () => {
  test("63Cx: wrong PIN with the tries left", () => {
    expect(refusalReason(INS.VERIFY_PIN, wrongPin(2), none)).toBe("wrong PIN: 2 tries left");
    expect(refusalReason(INS.VERIFY_PIN, wrongPin(1), none)).toBe("wrong PIN: 1 try left");
    expect(refusalReason(INS.VERIFY_PIN, wrongPin(0), none)).toMatch(/no tries left.*blocked/);
  });

  test("6983, 6982, 6A82, 6985", () => {
    expect(refusalReason(INS.VERIFY_PIN, SW.PIN_BLOCKED, none)).toBe("the card's PIN is blocked");
    expect(refusalReason(INS.PINIT_REQUEST, SW.PIN_NOT_VERIFIED, none)).toBe(
      "the card refused PINIT_REQUEST: the PIN was not verified (give the PIN)",
    );
    expect(refusalReason(INS.SELECT, SW.NO_SUCH_CARD, none, "visa-none")).toBe(
      'no card "visa-none" on the phone',
    );
    expect(refusalReason(INS.PURCHASE, SW.OUT_OF_ORDER, none)).toBe(
      "the card refused PURCHASE: command out of order",
    );
    expect(
      refusalReason(
        INS.PURCHASE,
        SW.OUT_OF_ORDER,
        json({ code: "cardholderDeclined", message: "the cardholder declined" }),
      ),
    ).toBe("the card refused PURCHASE: cardholderDeclined (the cardholder declined)");
  });

  test("6F00 names the SET ErrorCode the card found", () => {
    expect(
      refusalReason(
        INS.PINIT_RESPONSE,
        SW.SET_CHECK_FAILED,
        json({ code: "thumbsMismatch", message: "PEThumb\ndiffers" }),
      ),
    ).toBe("the card refused PINIT_RESPONSE: thumbsMismatch (PEThumb differs)");
    expect(refusalReason(INS.PINIT_RESPONSE, SW.SET_CHECK_FAILED, Uint8Array.of(0xff))).toBe(
      "the card refused PINIT_RESPONSE: a SET check failed",
    );
    expect(refusalReason(INS.PINIT_RESPONSE, SW.SET_CHECK_FAILED, json({ message: "no code" }))).toBe(
      "the card refused PINIT_RESPONSE: a SET check failed",
    );
  });

  test("other status words by name, unknown instructions by number", () => {
    expect(refusalReason(INS.PURCHASE, SW.BAD_DATA, none)).toBe(
      "the card refused PURCHASE: status 6A80 (BAD_DATA)",
    );
    expect(refusalReason(0x77, 0x6d00, none)).toBe("the card refused INS 77: status 6D00 (UNKNOWN_INS)");
  });

  test("expectOk passes 9000 data and stops as refused on anything else", () => {
    expect(expectOk(INS.SELECT, { sw: SW.OK, data: Uint8Array.of(1) })).toEqual(Uint8Array.of(1));
    stops(() => expectOk(INS.VERIFY_PIN, { sw: 0x63c1, data: none }), "refused", /1 try left/);
  });
});

describe("the card's JSON answers are read strictly", () => {
  test("SELECT", () => {
    expect(readSelect(json({ brand: "Visa", bin: "411111", language: "en" }))).toEqual({
      brand: "Visa",
      language: "en",
    });
    stops(() => readSelect(json({ bin: "411111" })), "failed", /SELECT without brand/);
    stops(() => readSelect(json({ brand: "" })), "failed", /without brand/);
    stops(() => readSelect(json(["Visa"])), "failed", /not a JSON object/);
    stops(() => readSelect(Uint8Array.of(0x7b)), "failed", /not a JSON object/);
  });

  test("PINIT_RESPONSE", () => {
    expect(readPInitResAnswer(json({ merchantName: "Shop", merID: "M1", gateway: "G", xid: "ab" }))).toEqual({
      merchantName: "Shop",
      merID: "M1",
      gateway: "G",
      xid: "ab",
    });
    stops(() => readPInitResAnswer(json({ xid: 7 })), "failed", /without xid/);
    stops(() => readPInitResAnswer(json(null)), "failed", /not a JSON object/);
  });

  test("PURCHASE_RESPONSE", () => {
    const amt = { currency: 392, amount: 12800, amtExp10: 0 };
    expect(readPResAnswer(json({ completionCode: "authorizationPerformed", authAmt: amt }))).toEqual({
      completionCode: "authorizationPerformed",
      authAmt: amt,
    });
    expect(
      readPResAnswer(json({ completionCode: "error", error: { code: "signatureFailure", message: "bad" } }))
        .error,
    ).toBe("signatureFailure: bad");
    expect(readPResAnswer(json({ error: "broken\nline" })).error).toBe("broken line");
    stops(() => readPResAnswer(json({ authAmt: amt })), "failed", /without completionCode/);
  });
});

describe("completionOf", () => {
  test("authorization or capture performed is approved; orderRejected and the rest are declined", () => {
    expect(completionOf({ completionCode: "authorizationPerformed" })).toBe("approved");
    expect(completionOf({ completionCode: "capturePerformed" })).toBe("approved");
    expect(completionOf({ completionCode: "orderReceived" })).toBe("orderReceived");
    expect(completionOf({ completionCode: "orderRejected" })).toBe("declined");
    expect(completionOf({ completionCode: "orderNotReceived" })).toBe("declined");
    expect(completionOf({ completionCode: "meaninglessRatio" })).toBe("declined");
  });

  test("an AuthCode other than approved declines; an approval code does not", () => {
    expect(authCodeNames).toContain("declined");
    expect(authCodeNames).toContain("approved");
    expect(completionOf({ completionCode: "authorizationPerformed", authCode: "declined" })).toBe("declined");
    expect(completionOf({ completionCode: "authorizationPerformed", authCode: "approved" })).toBe("approved");
    expect(completionOf({ completionCode: "authorizationPerformed", authCode: "A1B2C3" })).toBe("approved");
    expect(completionOf({ completionCode: "orderReceived", authCode: "callIssuer" })).toBe("declined");
  });
});
