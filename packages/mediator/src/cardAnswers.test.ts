import { encodeCardData, INS, SW, wrongPin } from "@setlab/protocol";
import {
  completionOf,
  expectOk,
  PurchaseStop,
  readPInitResAnswer,
  readPResAnswer,
  readSelect,
  refusalReason,
} from "./cardAnswers";

const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
const failure = (errorCode: "thumbsMismatch", message: string) =>
  encodeCardData("SetCheckFailure", { errorCode, message });
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
      refusalReason(INS.PURCHASE, SW.OUT_OF_ORDER, encodeCardData("OutOfOrderReason", "cardholderDeclined")),
    ).toBe("the card refused PURCHASE: cardholderDeclined (the cardholder declined)");
    expect(refusalReason(INS.PURCHASE, SW.OUT_OF_ORDER, Uint8Array.of(0x0a, 1, 9))).toBe(
      "the card refused PURCHASE: command out of order",
    );
  });

  test("6A80 to INQUIRY_REQUEST: a purchase the card does not remember; to another command, the status", () => {
    expect(refusalReason(INS.INQUIRY_REQUEST, SW.BAD_DATA, none)).toBe(
      "the card does not remember that purchase (6A80): another card paid it, or it is older than the card's last 8",
    );
    expect(refusalReason(INS.PURCHASE, SW.BAD_DATA, none)).toBe(
      "the card refused PURCHASE: status 6A80 (BAD_DATA)",
    );
  });

  test("6F00 names the SET ErrorCode the card found", () => {
    expect(
      refusalReason(INS.PINIT_RESPONSE, SW.SET_CHECK_FAILED, failure("thumbsMismatch", "PEThumb\ndiffers")),
    ).toBe("the card refused PINIT_RESPONSE: thumbsMismatch (PEThumb differs)");
    expect(refusalReason(INS.PINIT_RESPONSE, SW.SET_CHECK_FAILED, Uint8Array.of(0xff))).toBe(
      "the card refused PINIT_RESPONSE: a SET check failed",
    );
    // the JSON of earlier cards is not a SetCheckFailure
    expect(refusalReason(INS.PINIT_RESPONSE, SW.SET_CHECK_FAILED, json({ code: "thumbsMismatch" }))).toBe(
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

describe("the card's answers are read strictly as their SetLabCard.asn types", () => {
  const amt = { currency: 392, amount: 12800, amtExp10: 0 };
  const xid = new Uint8Array(20).fill(0xab);

  test("SELECT", () => {
    const der = encodeCardData("SelectAnswer", { brand: "Visa", bin: "411111", language: "en" });
    expect(readSelect(der)).toEqual({ brand: "Visa", language: "en" });
    stops(
      () => readSelect(json({ brand: "Visa", bin: "411111", language: "en" })),
      "failed",
      /SELECT.*SelectAnswer/,
    );
    stops(() => readSelect(der.subarray(0, der.length - 1)), "failed", /not a SelectAnswer/);
    stops(() => readSelect(new Uint8Array([...der, 0])), "failed", /not a SelectAnswer/);
    stops(() => readSelect(new Uint8Array(4096).fill(0x30)), "failed", /over 128 octets/);
  });

  test("PINIT_RESPONSE", () => {
    const der = encodeCardData("PInitResAnswer", { merchantName: "Shop", merID: "M1", gateway: "CN=G", xid });
    expect(readPInitResAnswer(der)).toEqual({
      merchantName: "Shop",
      merID: "M1",
      gateway: "CN=G",
      xid: "ab".repeat(20),
    });
    stops(
      () =>
        readPInitResAnswer(encodeCardData("SelectAnswer", { brand: "Visa", bin: "411111", language: "en" })),
      "failed",
      /PINIT_RESPONSE.*PInitResAnswer/,
    );
    stops(() => readPInitResAnswer(json(null)), "failed", /not a PInitResAnswer/);
  });

  test("PURCHASE_RESPONSE", () => {
    expect(
      readPResAnswer(
        encodeCardData("PurchaseOutcome", {
          type: "pRes",
          value: { completionCode: "authorizationPerformed", authAmt: amt },
        }),
      ),
    ).toEqual({ completionCode: "authorizationPerformed", authAmt: amt });
    expect(
      readPResAnswer(
        encodeCardData("PurchaseOutcome", {
          type: "error",
          value: { errorCode: "signatureFailure", signed: true },
        }),
      ),
    ).toEqual({ error: "signatureFailure (signed SET Error)" });
    stops(
      () => readPResAnswer(json({ completionCode: "authorizationPerformed" })),
      "failed",
      /PurchaseOutcome/,
    );
    // an alternative tag the module does not have
    stops(() => readPResAnswer(Uint8Array.of(0xa2, 3, 0x0a, 1, 4)), "failed", /PurchaseOutcome/);
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

  test("an authorization for another AuthAmt than the purchase's is partiallyApproved, not approved", () => {
    const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
    const done = { completionCode: "authorizationPerformed" as const };
    expect(completionOf({ ...done, authAmt: purchAmt }, purchAmt)).toBe("approved");
    expect(completionOf({ ...done, authAmt: { ...purchAmt, amount: 6400 } }, purchAmt)).toBe(
      "partiallyApproved",
    );
    expect(completionOf({ ...done, authAmt: { ...purchAmt, amount: 0 } }, purchAmt)).toBe(
      "partiallyApproved",
    );
  });
});
