import { decodeDer, encodeDer } from "../asn1/codec";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { CertificateList } from "../schema/x509";
import { createTestPki, type TestPki } from "../testing/pki";
import { testCrl } from "../testing/revocation";
import { sha256 } from "./digest";
import { parseCrl, prepareCrl, preparedCrls } from "./revocation";
import { parseSetCertificate } from "./setCertificate";

const p = nodeProvider();
let pki: TestPki;
let crl: Uint8Array;
const thisUpdate = new Date("2026-01-01T00:00:00Z");
const nextUpdate = new Date("2026-01-08T00:00:00Z");
beforeAll(async () => {
  pki = await createTestPki(p);
  crl = await testCrl(p, pki, "cardholderCa", { revoked: ["cardholder"], number: 7, thisUpdate, nextUpdate });
});

const refusal = (der: Uint8Array) => {
  try {
    parseCrl(der);
  } catch (e) {
    if (e instanceof SetError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("parsed");
};

/** The CRL re-encoded after `change` to its decoded TBSCertList. */
const variant = (change: (tbs: CertificateList["tbsCertList"]["value"]) => object) => {
  const c = decodeDer(CertificateList, crl);
  const value = change(c.tbsCertList.value) as CertificateList["tbsCertList"]["value"];
  return encodeDer(CertificateList, { ...c, tbsCertList: { value, der: new Uint8Array(0) } });
};

describe("parseCrl", () => {
  test("reads issuer, dates, number, revoked serials and the signed part", () => {
    const parsed = parseCrl(crl);
    const ca = parseSetCertificate(pki.cardholderCa.certificate);
    expect(parsed.issuerDer).toEqual(ca.subjectDer);
    expect(parsed.thisUpdate).toEqual(thisUpdate);
    expect(parsed.nextUpdate).toEqual(nextUpdate);
    expect(parsed.crlNumber).toBe(7);
    expect(parsed.revokedSerials).toEqual([parseSetCertificate(pki.cardholder.certificate).serialBytes]);
    expect(parsed.signatureAlgorithm).toBe("1.2.840.113549.1.1.11");
    expect(crl.subarray(4, 4 + parsed.tbs.length)).toEqual(parsed.tbs);
    expect(encodeDer(CertificateList, decodeDer(CertificateList, crl))).toEqual(crl);
  });

  test("a CRL without nextUpdate, revoked entries or cRLNumber is still a CRL", () => {
    const bare = variant((t) => ({
      ...t,
      nextUpdate: undefined,
      revokedCertificates: undefined,
      crlExtensions: undefined,
    }));
    const parsed = parseCrl(bare);
    expect(parsed.nextUpdate).toBeUndefined();
    expect(parsed.revokedSerials).toEqual([]);
    expect(parsed.crlNumber).toBeUndefined();
  });

  test("an entry with an empty extension list (as @peculiar/x509 writes it) is read", () => {
    const empty = variant((t) => ({
      ...t,
      revokedCertificates: t.revokedCertificates?.map((r) => ({ ...r, crlEntryExtensions: [] })),
    }));
    expect(empty.length).toBe(crl.length + 2);
    expect(parseCrl(empty).revokedSerials).toEqual(parseCrl(crl).revokedSerials);
  });

  test("garbage, a certificate, trailing bytes and BER are invalidCertificate", () => {
    const long = Uint8Array.of(0x30, 0x83, 0x00, crl[2], crl[3], ...crl.subarray(4));
    expect(crl[1]).toBe(0x82);
    for (const bad of [Uint8Array.of(1, 2, 3), pki.cardholder.certificate, Uint8Array.of(...crl, 0), long])
      expect(refusal(bad).code).toBe("invalidCertificate");
  });

  test("a malformed or repeated cRLNumber is invalidCertificate", () => {
    const number = (extnValue: Uint8Array) => ({ extnID: "2.5.29.20", critical: false, extnValue });
    const notInteger = variant((t) => ({ ...t, crlExtensions: [number(Uint8Array.of(0x04, 0x01, 0x07))] }));
    expect(refusal(notInteger).message).toMatch(/malformed cRLNumber/);
    const negative = variant((t) => ({ ...t, crlExtensions: [number(Uint8Array.of(0x02, 0x01, 0xff))] }));
    expect(refusal(negative).message).toMatch(/malformed cRLNumber/);
    const twice = variant((t) => ({
      ...t,
      crlExtensions: [number(Uint8Array.of(0x02, 0x01, 0x07)), number(Uint8Array.of(0x02, 0x01, 0x08))],
    }));
    expect(refusal(twice).message).toMatch(/cRLNumber appears twice/);
  });
});

describe("prepareCrl", () => {
  test("the same bytes are parsed once; other bytes and refusals are not taken from the cache", async () => {
    preparedCrls.clear();
    const first = await prepareCrl(crl);
    expect(await prepareCrl(new Uint8Array(crl))).toBe(first);
    expect(first.thumb).toEqual(sha256(first.crl.tbs));
    const other = variant((t) => ({ ...t, crlExtensions: undefined }));
    const second = await prepareCrl(other);
    expect(second).not.toBe(first);
    expect(second.crl.crlNumber).toBeUndefined();
    const bad = Uint8Array.of(...crl, 0);
    await expect(prepareCrl(bad)).rejects.toThrow(SetError);
    await expect(prepareCrl(bad)).rejects.toThrow(SetError);
    expect(preparedCrls.size).toBe(2);
  });
});
