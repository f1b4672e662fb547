import fc from "fast-check";
import { decodeDer, encodeDer } from "../asn1/codec";
import { tlv, universal } from "../asn1/tlv";
import { DecodeError, SetError } from "../errors";
import { arbitraryOf } from "../testing/arbitrary";
import type { CurrencyAmount, DetachedDigest, TransIDs } from "./common";
import { ContentType, Std } from "./oids";
import { OIData, PI, PIHead, PReq, PReqDualSigned, PReqUnsigned, TransStain } from "./purchase";

const id = (byte: number, length = 20) => new Uint8Array(length).fill(byte);
const sampleOf = <T>(arb: fc.Arbitrary<T>, seed = 1) => fc.sample(arb, { numRuns: 1, seed })[0];

const transIDs: TransIDs = {
  lid_C: id(1, 8),
  xid: id(3),
  pReqDate: new Date(Date.UTC(2026, 0, 2)),
  language: "en",
};
const dd = (contentType: string, byte: number): DetachedDigest => ({
  version: 2,
  digestAlgorithm: { algorithm: Std.sha256 },
  encapContentInfo: { eContentType: contentType },
  digest: id(byte, 32),
});
const amount: CurrencyAmount = { currency: 978, amount: 1999, amtExp10: -2 };
const thumb = (byte: number) => ({ digestAlgorithm: { algorithm: Std.sha256 }, thumbprint: id(byte, 32) });

const piHead: PIHead = {
  transIDs,
  inputs: { hod: dd(ContentType.HODInput, 0x11), purchAmt: amount },
  merchantID: "M-0001",
  transStain: id(0x22, 32),
  swIdent: "SET Lab wallet",
};

describe("PIHead", () => {
  it("carries the hardened profile's binding as an optional [3] after the SET fields", () => {
    const set = encodeDer(PIHead, piHead);
    const hardened = { ...piHead, profileBinding: { gatewayThumb: thumb(0x33), merchantThumb: thumb(0x44) } };
    const der = encodeDer(PIHead, hardened);
    expect(decodeDer(PIHead, der)).toEqual(hardened);
    expect(decodeDer(PIHead, set)).toEqual(piHead);
    // Same content up to the binding, which is appended as [3] constructed.
    const setContent = set.subarray(set[1] & 0x80 ? 2 + (set[1] & 0x7f) : 2);
    const hardenedContent = der.subarray(der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2);
    expect(hardenedContent.subarray(0, setContent.length)).toEqual(setContent);
    expect(hardenedContent[setContent.length]).toBe(0xa3);
  });

  it("keeps TransStain whole: 32 bytes, not SET's 20", () => {
    expect(() => encodeDer(TransStain, id(1, 20))).toThrow(SetError);
    const short = Uint8Array.of(0x04, 20, ...id(1, 20));
    expect(() => decodeDer(TransStain, short)).toThrow(DecodeError);
  });
});

describe("OIData", () => {
  const oiData: OIData = {
    transIDs,
    rrpid: id(4),
    chall_C: id(5),
    hod: dd(ContentType.HODInput, 0x11),
    odSalt: id(6),
    brandID: "Visa",
    bin: "411111",
  };

  it("decodes with and without Chall-M (present only after a PInit pair)", () => {
    const withChallM = { ...oiData, chall_M: id(7) };
    expect(decodeDer(OIData, encodeDer(OIData, oiData))).toEqual(oiData);
    expect(decodeDer(OIData, encodeDer(OIData, withChallM))).toEqual(withChallM);
  });

  it("refuses OIData without its BIN", () => {
    const der = encodeDer(OIData, oiData);
    const binTlv = Uint8Array.of(0x12, 6, ...Buffer.from("411111"));
    const cut = Buffer.from(der).indexOf(Buffer.from(binTlv));
    expect(cut).toBeGreaterThan(0);
    const start = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
    const content = Uint8Array.from([...der.subarray(start, cut), ...der.subarray(cut + binTlv.length)]);
    expect(() => decodeDer(OIData, tlv(universal(16), true, content))).toThrow(DecodeError);
  });
});

describe("PReq and PI", () => {
  const dual = sampleOf(arbitraryOf(PReqDualSigned), 3);
  const unsigned = sampleOf(arbitraryOf(PReqUnsigned), 4);

  it("tags the dual-signed form [0] and the unsigned form [1], both EXPLICIT", () => {
    const a = encodeDer(PReq, { type: "pReqDualSigned", value: dual });
    const b = encodeDer(PReq, { type: "pReqUnsigned", value: unsigned });
    expect([a[0], b[0]]).toEqual([0xa0, 0xa1]);
    expect(decodeDer(PReq, a)).toEqual({ type: "pReqDualSigned", value: dual });
    expect(decodeDer(PReq, b)).toEqual({ type: "pReqUnsigned", value: unsigned });
  });

  it("refuses a dual-signed body under the unsigned tag", () => {
    const a = new Uint8Array(encodeDer(PReq, { type: "pReqDualSigned", value: dual }));
    a[0] = 0xa1;
    expect(() => decodeDer(PReq, a)).toThrow(DecodeError);
  });

  it("tells the three PI forms apart by tag", () => {
    const samples = fc.sample(arbitraryOf(PI), { numRuns: 30, seed: 5 });
    const firstOctets = new Map(samples.map((v) => [v.type, encodeDer(PI, v)[0]]));
    expect(Object.fromEntries(firstOctets)).toEqual({
      piUnsigned: 0xa0,
      piDualSigned: 0xa1,
      authToken: 0xa2,
    });
  });
});
