import { SetError } from "../errors";
import { createTestPki, type TestPki } from "../testing/pki";
import { CertificateCache } from "./certificateCache";
import { parsedCertificates, parseSetCertificate, SetCertificate } from "./setCertificate";

const make = (der: Uint8Array) => new SetCertificate(der);

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

describe("CertificateCache", () => {
  test("the same bytes parse once; the thumb finds the parsed certificate", async () => {
    const cache = new CertificateCache(make, 4);
    const a = cache.parse(pki.merchantSig.certificate);
    expect(cache.parse(Uint8Array.from(pki.merchantSig.certificate))).toBe(a);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    expect(cache.get(await a.thumb())).toBe(a);
    expect(cache.get(new Uint8Array(32))).toBeUndefined();
  });

  test("bytes that differ anywhere, even only in the signature, are another certificate", () => {
    const cache = new CertificateCache(make, 4);
    const a = cache.parse(pki.merchantSig.certificate);
    const der = Uint8Array.from(pki.merchantSig.certificate);
    der[der.length - 3] ^= 1;
    const b = cache.parse(der);
    expect(b).not.toBe(a);
    expect(b.signature).not.toEqual(a.signature);
  });

  test("least recently used entries leave first", async () => {
    const cache = new CertificateCache(make, 2);
    const a = cache.parse(pki.cardholder.certificate);
    const b = cache.parse(pki.merchantSig.certificate);
    cache.get(await a.thumb());
    const c = cache.parse(pki.gatewaySig.certificate);
    expect(cache.size).toBe(2);
    expect(cache.get(await b.thumb())).toBeUndefined();
    expect(cache.get(await a.thumb())).toBe(a);
    expect(cache.get(await c.thumb())).toBe(c);
    expect(cache.parse(pki.merchantSig.certificate)).not.toBe(b);
  });

  test("a refused certificate is refused every time, and not kept", () => {
    const cache = new CertificateCache(make, 4);
    const bad = Uint8Array.of(...pki.cardholder.certificate, 0);
    for (let i = 0; i < 2; i++) expect(() => cache.parse(bad)).toThrow(SetError);
    expect(cache.size).toBe(0);
  });

  test("clear forgets every parse and every thumb", async () => {
    const cache = new CertificateCache(make, 4);
    const a = cache.parse(pki.merchantSig.certificate);
    const thumb = await a.thumb();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get(thumb)).toBeUndefined();
    expect(cache.parse(pki.merchantSig.certificate)).not.toBe(a);
  });

  test("refuses a useless capacity", () => {
    expect(() => new CertificateCache(make, 0)).toThrow(RangeError);
    expect(() => new CertificateCache(make, 1.5)).toThrow(RangeError);
  });

  test("parseSetCertificate shares one parse per DER through the process-wide cache", () => {
    const first = parseSetCertificate(pki.gatewayKex.certificate);
    expect(parseSetCertificate(Uint8Array.from(pki.gatewayKex.certificate))).toBe(first);
    expect(parsedCertificates.size).toBeGreaterThan(0);
  });
});
