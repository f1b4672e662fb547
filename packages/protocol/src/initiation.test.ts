import {
  InitiationError,
  initiationFormat,
  maxInitiationBrands,
  maxInitiationBytes,
  readInitiation,
  setProfileOf,
  writeInitiation,
} from "./initiation";
import { sampleInitiation as valid } from "./testing/initiation";

function refused(value: unknown, pattern: RegExp): void {
  expect(() => readInitiation(value)).toThrow(InitiationError);
  expect(() => readInitiation(value)).toThrow(pattern);
}

describe("readInitiation", () => {
  test("reads the contract's example, from an object or JSON text", () => {
    expect(readInitiation(valid)).toEqual(valid);
    expect(readInitiation(JSON.stringify(valid))).toEqual(valid);
  });

  test("optional parts: no orderUrl, returnUrl, unsignedAllowed or amtExp10", () => {
    const { orderUrl, returnUrl, unsignedAllowed, ...rest } = valid;
    const parsed = readInitiation({ ...rest, purchAmt: { currency: 840, amount: 5 }, profile: "hardened" });
    expect(parsed.unsignedAllowed).toEqual([]);
    expect(parsed.purchAmt).toEqual({ currency: 840, amount: 5, amtExp10: 0 });
    expect(parsed.profile).toBe("hardened");
    expect("orderUrl" in parsed).toBe(false);
  });

  test("terms: one of the two forms, checked, with a SET profile only", () => {
    const monthly = { recurringDays: 30, recurringExpiry: "2099-12-31" };
    expect(readInitiation({ ...valid, terms: monthly }).terms).toEqual(monthly);
    expect(readInitiation({ ...valid, terms: { installments: 3 } }).terms).toEqual({ installments: 3 });
    expect("terms" in readInitiation(valid)).toBe(false);
    refused({ ...valid, terms: { installments: 1 } }, /terms.installments must be an integer from 2 to 999/);
    refused({ ...valid, terms: "monthly" }, /terms must be an object/);
    refused(
      {
        ...valid,
        profile: "embodiment-1",
        embodimentUrl: "http://127.0.0.1:8401/set/embodiment",
        terms: monthly,
      },
      /terms go with a SET profile only/,
    );
  });

  test("not JSON, not an object", () => {
    refused("{", /not JSON/);
    refused("[1]", /not a JSON object/);
    refused(null, /not a JSON object/);
    refused(42, /not a JSON object/);
  });

  test("format", () => {
    refused({ ...valid, format: "setlab-initiation/2" }, /format/);
    refused({ ...valid, format: undefined }, /format/);
  });

  test("setUrl must be an http(s) URL", () => {
    refused({ ...valid, setUrl: "file:///etc/passwd" }, /setUrl must be an http\(s\) URL/);
    refused({ ...valid, setUrl: "ftp://x/set" }, /setUrl/);
    refused({ ...valid, setUrl: "not a url" }, /setUrl is not a URL/);
    refused({ ...valid, setUrl: 7 }, /setUrl must be a string/);
    refused({ ...valid, setUrl: undefined }, /setUrl/);
    expect(readInitiation({ ...valid, setUrl: "https://shop.example/set" }).setUrl).toBe(
      "https://shop.example/set",
    );
    refused({ ...valid, orderUrl: "javascript:alert(1)" }, /orderUrl/);
    refused({ ...valid, returnUrl: "data:text/plain,x" }, /returnUrl/);
  });

  test("brands", () => {
    refused({ ...valid, brands: [] }, /brands must name at least one brand/);
    refused({ ...valid, brands: "Visa" }, /brands must be an array/);
    refused({ ...valid, brands: ["Visa", "Visa"] }, /twice/);
    refused({ ...valid, brands: ["Visa", ""] }, /brands must hold brand names/);
    refused({ ...valid, brands: ["x".repeat(41)] }, /brands must hold brand names/);
    refused({ ...valid, brands: [3] }, /brands must hold brand names/);
  });

  test("unsignedAllowed must be among the brands", () => {
    refused({ ...valid, unsignedAllowed: ["Amex"] }, /"Amex", which is not among brands/);
    refused({ ...valid, unsignedAllowed: "MasterCard" }, /unsignedAllowed must be an array/);
  });

  test("lidM is a LocalID of 1 to 20 bytes", () => {
    refused({ ...valid, lidM: "" }, /lidM/);
    refused({ ...valid, lidM: "x".repeat(21) }, /lidM/);
    refused({ ...valid, lidM: "é".repeat(11) }, /lidM/);
    refused({ ...valid, lidM: 7 }, /lidM/);
    expect(readInitiation({ ...valid, lidM: "x".repeat(20) }).lidM).toHaveLength(20);
  });

  test("purchAmt", () => {
    refused({ ...valid, purchAmt: undefined }, /purchAmt must be an object/);
    refused({ ...valid, purchAmt: [392, 1, 0] }, /purchAmt must be an object/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, currency: 0 } }, /purchAmt.currency/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, currency: 1000 } }, /purchAmt.currency/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, currency: "392" } }, /purchAmt.currency/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, amount: -1 } }, /purchAmt.amount/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, amount: 1.5 } }, /purchAmt.amount/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, amount: 2 ** 53 } }, /purchAmt.amount/);
    refused({ ...valid, purchAmt: { ...valid.purchAmt, amtExp10: 19 } }, /purchAmt.amtExp10/);
  });

  test("od is non-empty canonical base64", () => {
    refused({ ...valid, od: "" }, /od must be non-empty base64/);
    refused({ ...valid, od: "not base64!" }, /od is not canonical base64/);
    refused({ ...valid, od: "QUJD=" }, /od is not canonical base64/);
    refused({ ...valid, od: { text: "x" } }, /od must be non-empty base64/);
  });

  test("language and profile", () => {
    refused({ ...valid, language: "" }, /language/);
    refused({ ...valid, language: "en US" }, /language/);
    refused({ ...valid, language: "x".repeat(36) }, /language/);
    refused(
      { ...valid, profile: "fast" },
      /profile must be "set", "hardened", "embodiment-1" or "embodiment-2"/,
    );
    refused({ ...valid, profile: undefined }, /profile/);
  });

  test("embodiment-1 comes with its embodimentUrl, and only it does", () => {
    const e1 = { ...valid, profile: "embodiment-1", embodimentUrl: "http://127.0.0.1:8401/set/embodiment" };
    expect(readInitiation(e1)).toEqual(e1);
    refused({ ...valid, profile: "embodiment-1" }, /embodimentUrl is given with an embodiment profile/);
    refused({ ...valid, profile: "embodiment-2" }, /embodimentUrl is given with an embodiment profile/);
    expect(readInitiation({ ...e1, profile: "embodiment-2" }).profile).toBe("embodiment-2");
    refused(
      { ...valid, embodimentUrl: e1.embodimentUrl },
      /embodimentUrl is given with an embodiment profile/,
    );
    refused({ ...e1, embodimentUrl: "file:///etc/passwd" }, /embodimentUrl/);
  });

  test("setProfileOf: the SET profiles pass, an embodiment has no SET purchase", () => {
    expect(setProfileOf("set")).toBe("set");
    expect(setProfileOf("hardened")).toBe("hardened");
    expect(() => setProfileOf("embodiment-2")).toThrow(
      expect.objectContaining({ code: "messageNotSupported" }),
    );
    expect(() => setProfileOf("embodiment-1")).toThrow(
      expect.objectContaining({ code: "messageNotSupported" }),
    );
  });
});

describe("readInitiation: limits and typed errors", () => {
  test("the format's name is the contract's", () => {
    expect(initiationFormat).toBe("setlab-initiation/1");
  });

  test("a refusal is a decodingFailure naming the field", () => {
    try {
      readInitiation({ ...valid, lidM: "" });
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(InitiationError);
      expect((e as InitiationError).code).toBe("decodingFailure");
      expect((e as InitiationError).where).toBe("initiation.lidM");
    }
  });

  test("reads UTF-8 bytes like text", () => {
    expect(readInitiation(new TextEncoder().encode(JSON.stringify(valid)))).toEqual(valid);
    refused(new TextEncoder().encode("{"), /not JSON/);
  });

  test("text over the byte limit is refused before it is parsed", () => {
    const padded = JSON.stringify({ ...valid, pad: "x".repeat(maxInitiationBytes) });
    refused(padded, new RegExp(`over ${maxInitiationBytes} bytes`));
    refused(new TextEncoder().encode(padded), /over 65536 bytes/);
    // Multi-byte characters count as bytes, not as characters.
    refused(`"${"é".repeat(maxInitiationBytes / 2 + 1)}"`, /over 65536 bytes/);
  });

  test("at most maxInitiationBrands brands", () => {
    const many = Array.from({ length: maxInitiationBrands + 1 }, (_, i) => `Brand${i}`);
    refused({ ...valid, brands: many, unsignedAllowed: [] }, /brands names more than 32 brands/);
    expect(readInitiation({ ...valid, brands: many.slice(1), unsignedAllowed: [] }).brands).toHaveLength(32);
  });

  test("fields it does not know are dropped, not passed on", () => {
    expect(readInitiation({ ...valid, extra: "x" })).toEqual(valid);
  });
});

describe("writeInitiation", () => {
  test("writes JSON the reader gives back unchanged", () => {
    const text = writeInitiation(readInitiation(valid));
    expect(JSON.parse(text).format).toBe(initiationFormat);
    expect(readInitiation(text)).toEqual(valid);
  });

  test("refuses at the source what a mediator would refuse", () => {
    const bad = { ...readInitiation(valid), unsignedAllowed: ["Amex"] };
    expect(() => writeInitiation(bad)).toThrow(InitiationError);
    expect(() => writeInitiation({ ...readInitiation(valid), od: "x".repeat(maxInitiationBytes) })).toThrow(
      /over 65536 bytes/,
    );
  });
});
