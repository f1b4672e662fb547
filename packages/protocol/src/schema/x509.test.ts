import { decodeDer, encodeDer } from "../asn1/codec";
import { tlv, universal } from "../asn1/tlv";
import { DecodeError } from "../errors";
import { Name, serialNumber, Time, utcTime } from "./x509";

const ascii = (s: string) => new TextEncoder().encode(s);
const utc = (s: string) => tlv(universal(23), false, ascii(s));

describe("UTCTime", () => {
  test.each([
    ["500101000000Z", "1950-01-01T00:00:00.000Z"],
    ["491231235959Z", "2049-12-31T23:59:59.000Z"],
    ["260229120000Z", undefined],
    ["280229120000Z", "2028-02-29T12:00:00.000Z"],
  ])("%s", (text, iso) => {
    const read = () => decodeDer(utcTime(), utc(text));
    if (iso === undefined) expect(read).toThrow(DecodeError);
    else {
      expect(read().toISOString()).toBe(iso);
      expect(encodeDer(utcTime(), new Date(iso))).toEqual(utc(text));
    }
  });

  test.each([
    "2601010000Z", // no seconds
    "260101000000", // no Z
    "260101000000+0100",
    "260101000000.5Z",
    "26010100000aZ",
    "261301000000Z",
    "260101240000Z",
    "260101006000Z",
  ])("refuses %s", (text) => {
    expect(() => decodeDer(utcTime(), utc(text))).toThrow(DecodeError);
  });

  test("encodes only whole seconds within 1950..2049", () => {
    expect(() => encodeDer(utcTime(), new Date("2050-01-01T00:00:00Z"))).toThrow();
    expect(() => encodeDer(utcTime(), new Date("1949-12-31T23:59:59Z"))).toThrow();
    expect(() => encodeDer(utcTime(), new Date("2026-01-01T00:00:00.500Z"))).toThrow();
  });

  test("Time reads both UTCTime and GeneralizedTime", () => {
    expect(decodeDer(Time, utc("260101000000Z"))).toEqual({
      type: "utcTime",
      value: new Date("2026-01-01T00:00:00Z"),
    });
    const gt = tlv(universal(24), false, ascii("20600101000000Z"));
    expect(decodeDer(Time, gt).value).toEqual(new Date("2060-01-01T00:00:00Z"));
  });
});

describe("CertificateSerialNumber", () => {
  const int = (...bytes: number[]) => tlv(universal(2), false, Uint8Array.from(bytes));
  test("keeps the content octets, up to 20 of them", () => {
    expect(decodeDer(serialNumber(), int(0, 0x80, 1))).toEqual(Uint8Array.of(0, 0x80, 1));
    expect(decodeDer(serialNumber(), int(...new Array(20).fill(0x11)))).toHaveLength(20);
  });
  test("refuses 21 octets, an empty or non-minimal INTEGER", () => {
    for (const bad of [int(...new Array(21).fill(0x11)), int(), int(0, 0x7f), int(0xff, 0x80)])
      expect(() => decodeDer(serialNumber(), bad)).toThrow(DecodeError);
  });
});

describe("Name", () => {
  const atv = (oidDer: number[], value: Uint8Array) =>
    tlv(universal(17), true, tlv(universal(16), true, Uint8Array.of(...oidDer, ...value)));
  const cn = [0x06, 0x03, 0x55, 0x04, 0x03];
  const o = [0x06, 0x03, 0x55, 0x04, 0x0a];
  test("reads every string type SET names use, and shows other values as hex", () => {
    const bmp = Uint8Array.of(0x00, 0x56, 0x00, 0x69, 0x00, 0x73, 0x00, 0x61); // "Visa"
    const rdns = [
      atv(o, tlv(universal(30), false, bmp)),
      atv(cn, tlv(universal(12), false, ascii("Café"))),
      atv(cn, tlv(universal(19), false, ascii("Shop 1"))),
      atv(cn, tlv(universal(2), false, Uint8Array.of(5))),
    ];
    const der = tlv(universal(16), true, Uint8Array.from(rdns.flatMap((r) => [...r])));
    const name = decodeDer(Name, der);
    expect(name.der).toEqual(der);
    expect(name.value.map((a) => [a.type, a.text])).toEqual([
      ["2.5.4.10", "Visa"],
      ["2.5.4.3", "Café"],
      ["2.5.4.3", "Shop 1"],
      ["2.5.4.3", "#020105"],
    ]);
  });
  test("refuses an empty RDN", () => {
    const der = tlv(universal(16), true, tlv(universal(17), true, new Uint8Array(0)));
    expect(() => decodeDer(Name, der)).toThrow(DecodeError);
  });
});
