import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import type { Codec } from "../asn1/codec";
import { arbitraryOf } from "../testing/arbitrary";
import { CardDataError } from "./cardDataError";
import {
  type CardDataType,
  type CardDataValue,
  cardDataTypes,
  decodeCardData,
  encodeCardData,
  MAX_ORDER_DESCRIPTION,
} from "./commandData";
import { SW } from "./commandSet";

const types = Object.keys(cardDataTypes) as CardDataType[];
const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ""), "hex"));

function refusal(type: CardDataType, bytes: Uint8Array): CardDataError {
  try {
    decodeCardData(type, bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CardDataError);
    return e as CardDataError;
  }
  throw new Error(`${type} accepted ${Buffer.from(bytes).toString("hex")}`);
}

const purchase = {
  od: new TextEncoder().encode("2 x tea"),
  purchAmt: { currency: 392, amount: 1200, amtExp10: 0 },
  profile: "set" as const,
  form: "dualSigned" as const,
};

describe.each(types)("%s", (type) => {
  const { maxBytes } = cardDataTypes[type];
  const codec = cardDataTypes[type].codec as Codec<unknown>;

  it("round-trips generated values byte for byte, within its byte limit", () => {
    fc.assert(
      fc.property(arbitraryOf(codec), (value) => {
        const der = encodeCardData(type, value as never);
        expect(der.length).toBeLessThanOrEqual(maxBytes);
        expect(encodeCardData(type, decodeCardData(type, der))).toEqual(der);
      }),
      { numRuns: 40 },
    );
  });

  it("answers mutated, truncated, extended and random input with a value or a CardDataError", () => {
    const der = arbitraryOf(codec).map((v) => encodeCardData(type, v as never));
    const damaged = fc.oneof(
      fc.tuple(der, fc.nat()).map(([d, cut]) => d.subarray(0, cut % d.length)),
      fc
        .tuple(der, fc.uint8Array({ minLength: 1, maxLength: 3 }))
        .map(([d, tail]) => Buffer.concat([d, tail])),
      fc.tuple(der, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([d, at, xor]) => {
        const flipped = Uint8Array.from(d);
        flipped[at % d.length] ^= xor;
        return flipped;
      }),
      fc.uint8Array({ maxLength: 64 }),
    );
    fc.assert(
      fc.property(damaged, (input) => {
        const outcome = (() => {
          try {
            return decodeCardData(type, new Uint8Array(input));
          } catch (e) {
            return e;
          }
        })();
        if (outcome instanceof Error) {
          expect(outcome).toBeInstanceOf(CardDataError);
          expect([SW.BAD_DATA, SW.BAD_LENGTH]).toContain((outcome as CardDataError).sw);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("refuses one octet over its limit before reading it: 6700, messageTooBig", () => {
    // A valid SEQUENCE header would make a parser read on; the limit comes first.
    const big = new Uint8Array(maxBytes + 1);
    big[0] = 0x30;
    const e = refusal(type, big);
    expect(e.code).toBe("messageTooBig");
    expect(e.sw).toBe(SW.BAD_LENGTH);
  });
});

describe("the byte limits", () => {
  const wide = "\u{1F600}"; // four octets in UTF-8
  const amount = { currency: 999, amount: Number.MAX_SAFE_INTEGER, amtExp10: -18 };
  const summary = {
    xid: new Uint8Array(20),
    merchantName: wide.repeat(50),
    merID: "M".repeat(30),
    phase: "completed" as const,
    at: new Date(Date.UTC(2026, 11, 6)),
    purchAmt: amount,
    completionCode: "authorizationPerformed" as const,
    error: "challengeMismatch" as const,
  };
  const largest: { [K in CardDataType]: CardDataValue<K> } = {
    PInitRequestInput: { brand: "B".repeat(40), lidM: "L".repeat(20), language: "l".repeat(35) },
    PurchaseInput: {
      od: new Uint8Array(MAX_ORDER_DESCRIPTION),
      purchAmt: amount,
      profile: "hardened",
      form: "unsigned",
    },
    InquiryInput: { xid: new Uint8Array(20) },
    SelectAnswer: { brand: "B".repeat(40), bin: "411111", language: "l".repeat(35) },
    PInitResAnswer: {
      merchantName: wide.repeat(50),
      merID: "M".repeat(30),
      gateway: wide.repeat(1024),
      xid: new Uint8Array(20),
    },
    PurchaseOutcome: { type: "pRes", value: { completionCode: "capturePerformed", authAmt: amount } },
    TransactionSummary: summary,
    CardStatus: { pinTriesLeft: 15, locked: true, transaction: summary, lastTransaction: summary },
    SetCheckFailure: { errorCode: "challengeMismatch", message: wide.repeat(300) },
    SessionContext: { runId: "r".repeat(100) },
    OutOfOrderReason: "cardholderDeclined",
  };

  it.each(types)("the largest %s the module allows fits its limit and reads back", (type) => {
    const der = encodeCardData(type, largest[type] as never);
    expect(der.length).toBeLessThanOrEqual(cardDataTypes[type].maxBytes);
    expect(decodeCardData(type, der)).toEqual(largest[type]);
  });
});

describe("strict reading", () => {
  const der = encodeCardData("PurchaseInput", purchase);

  it("encodes the defaults by leaving them out", () => {
    expect(der.includes(0x80)).toBe(false);
    const hardened = encodeCardData("PurchaseInput", { ...purchase, profile: "hardened" });
    expect(hardened.length).toBe(der.length + 3);
    expect(decodeCardData("PurchaseInput", hardened).profile).toBe("hardened");
  });

  it("refuses a DEFAULT value written out", () => {
    const withDefault = new Uint8Array([...der, 0x80, 0x01, 0x00]);
    withDefault[1] += 3;
    expect(refusal("PurchaseInput", withDefault).message).toMatch(/DEFAULT/);
  });

  it("refuses trailing bytes, a wrong outer tag and an empty input", () => {
    expect(refusal("PurchaseInput", new Uint8Array([...der, 0])).code).toBe("decodingFailure");
    const set = new Uint8Array(der);
    set[0] = 0x31;
    expect(refusal("PurchaseInput", set).sw).toBe(SW.BAD_DATA);
    expect(refusal("PurchaseInput", new Uint8Array(0)).code).toBe("decodingFailure");
  });

  it("refuses values outside the module's bounds", () => {
    // SelectAnswer with a five-digit BIN
    expect(refusal("SelectAnswer", hex("300e 1a0156 12053431313131 1a02656e")).where).toMatch(/bin/);
    // an empty od
    const emptyOd = hex("300f 0400 300b 02020188 020204b0 020100");
    expect(refusal("PurchaseInput", emptyOd).where).toMatch(/od/);
    // an enumerated value the module does not list
    expect(refusal("OutOfOrderReason", hex("0a0102")).code).toBe("decodingFailure");
    // pinTriesLeft 16
    expect(refusal("CardStatus", hex("3006 020110 010100")).where).toMatch(/pinTriesLeft/);
  });

  it("refuses a non-canonical BOOLEAN and a long-form length", () => {
    expect(refusal("PurchaseOutcome", hex("a106 0a0108 010101")).sw).toBe(SW.BAD_DATA);
    expect(refusal("SessionContext", hex("30 8100")).sw).toBe(SW.BAD_DATA);
  });

  it("refuses to encode a value outside its type", () => {
    expect(() => encodeCardData("SelectAnswer", { brand: "Visa", bin: "41", language: "en" })).toThrow(
      CardDataError,
    );
    expect(() => encodeCardData("PurchaseInput", { ...purchase, od: new Uint8Array(65537) })).toThrow(
      CardDataError,
    );
  });
});

describe("SetLabCard.asn as the independent decoder sees it", () => {
  const cardModule = resolve(__dirname, "../../asn1/SetLabCard.asn");
  const setModule = resolve(__dirname, "../../asn1/SetLab.asn");
  let dir: string;
  beforeAll(() => {
    const probe = spawnSync("asn1Decoding", ["--version"]);
    if (probe.error) throw new Error("asn1Decoding is missing: install the Debian package libtasn1-bin");
    dir = mkdtempSync(join(tmpdir(), "setlab-card-asn1-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const decodes = (der: Uint8Array, asn1Name: string) => {
    const file = join(dir, `${asn1Name}.der`);
    writeFileSync(file, der);
    const run = spawnSync("asn1Decoding", ["-s", cardModule, file, `SetLabCard-Module.${asn1Name}`], {
      encoding: "utf8",
    });
    return run.status === 0 && `${run.stdout}${run.stderr}`.includes("Decoding: SUCCESS");
  };

  it("declares exactly the types the codecs implement", () => {
    const text = readFileSync(cardModule, "utf8").replace(/--.*$/gm, "");
    const declared = [...text.matchAll(/^([A-Za-z][A-Za-z0-9-]*)\s*::=/gm)].map((m) => m[1]).sort();
    const inner = ["CompletionCode", "CurrencyAmount", "ErrorCode", "MerchantError", "PResOutcome"];
    const implemented = [
      ...new Set([
        ...types,
        ...inner,
        "PurchaseForm",
        "PurchaseProfile",
        "TransactionPhase",
        "TransactionSummary",
      ]),
    ].sort();
    expect(declared).toEqual(implemented);
    execFileSync("asn1Parser", ["-c", cardModule, "-o", join(dir, "card_tab.c")]);
  });

  it("keeps its copies of SetLab.asn's types identical to the originals", () => {
    const definition = (file: string, name: string) =>
      new RegExp(`^${name} ::= [^]*?\\n}`, "m").exec(readFileSync(file, "utf8"))?.[0];
    for (const name of ["CurrencyAmount", "CompletionCode", "ErrorCode"]) {
      expect(definition(cardModule, name)).toBeDefined();
      expect(definition(cardModule, name)).toBe(definition(setModule, name));
    }
  });

  it.each(types)("decodes three generated %s samples", (type) => {
    const codec = cardDataTypes[type].codec as Codec<unknown>;
    for (const value of fc.sample(arbitraryOf(codec), { numRuns: 3, seed: 11 }))
      expect(decodes(encodeCardData(type, value as never), type)).toBe(true);
  });

  it("can say no: a PurchaseInput is not a SelectAnswer", () => {
    const der = encodeCardData("PurchaseInput", purchase);
    expect(decodes(der, "PurchaseInput")).toBe(true);
    expect(decodes(der, "SelectAnswer")).toBe(false);
  });
});
