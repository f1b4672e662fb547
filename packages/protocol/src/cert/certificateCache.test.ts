import { createTestPki, type TestPki } from "../testing/pki";
import { CertificateCache } from "./certificateCache";

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

describe("CertificateCache", () => {
  test("the same bytes parse once; the thumb finds the parsed certificate", async () => {
    const cache = new CertificateCache(crypto, 4);
    const a = await cache.parse(pki.merchantSig.certificate);
    expect(await cache.parse(Uint8Array.from(pki.merchantSig.certificate))).toBe(a);
    expect(cache.get(await a.thumb(crypto))).toBe(a);
    expect(cache.get(new Uint8Array(32))).toBeUndefined();
  });

  test("least recently used entries leave first", async () => {
    const cache = new CertificateCache(crypto, 2);
    const a = await cache.parse(pki.cardholder.certificate);
    const b = await cache.parse(pki.merchantSig.certificate);
    cache.get(await a.thumb(crypto));
    const c = await cache.parse(pki.gatewaySig.certificate);
    expect(cache.size).toBe(2);
    expect(cache.get(await b.thumb(crypto))).toBeUndefined();
    expect(cache.get(await a.thumb(crypto))).toBe(a);
    expect(cache.get(await c.thumb(crypto))).toBe(c);
    expect(await cache.parse(pki.merchantSig.certificate)).not.toBe(b);
  });

  test("refuses a useless capacity", () => {
    expect(() => new CertificateCache(crypto, 0)).toThrow(RangeError);
  });
});
