/**
 * `namedBy` reads a certificate's issuer and serial in place, `publicKeyIn` its SPKI; they must
 * answer exactly what `certificateRef(...)` answers, and fail the same way on bytes that are not a
 * certificate.
 */
import { tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";
import { certificateRef, namedBy, publicKeyIn } from "./certificateRef";
import { pkiFor } from "./fixtures.test-helper";
import { nodeProvider } from "./provider";

const fresh = (bytes: Uint8Array) => new Uint8Array(bytes);

describe("namedBy", () => {
  test("names the certificate its own identifier names, and no other", async () => {
    const pki = await pkiFor(nodeProvider());
    const certificates = [
      pki.cardholder.certificate,
      pki.merchantSig.certificate,
      pki.gatewayKex.certificate,
    ];
    for (const named of certificates) {
      const sid = certificateRef(named).issuerAndSerial;
      // fresh copies: nothing cut before, so the bytes are read in place
      for (const candidate of certificates) expect(namedBy(fresh(candidate), sid)).toBe(candidate === named);
    }
  });

  test("one changed byte of issuer or serial, a longer or re-tagged identifier: not named", async () => {
    const pki = await pkiFor(nodeProvider());
    const cert = pki.merchantSig.certificate;
    const sid = certificateRef(cert).issuerAndSerial;
    const serialLast = sid.length - 1;
    const issuerByte = 10;
    for (const at of [serialLast, issuerByte]) {
      const changed = fresh(sid);
      changed[at] ^= 0x01;
      expect(namedBy(fresh(cert), changed)).toBe(false);
    }
    const content = sid.subarray(sid[1] & 0x80 ? 2 + (sid[1] & 0x7f) : 2);
    expect(namedBy(fresh(cert), tlv(universal(16), true, new Uint8Array([...content, 0x05, 0x00])))).toBe(
      false,
    );
    expect(namedBy(fresh(cert), Uint8Array.from([...sid, 0x00]))).toBe(false);
    // the same content under a primitive identifier (0x10 instead of 0x30)
    expect(namedBy(fresh(cert), tlv(universal(16), false, content))).toBe(false);
    expect(namedBy(fresh(cert), new Uint8Array(0))).toBe(false);
  });

  test("bytes that are not a certificate fail as certificateRef fails", async () => {
    const pki = await pkiFor(nodeProvider());
    const sid = certificateRef(pki.merchantSig.certificate).issuerAndSerial;
    for (const junk of [Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]), Uint8Array.from([0x04, 0x00])]) {
      const thrown = (() => {
        try {
          namedBy(junk, sid);
        } catch (e) {
          return e;
        }
      })();
      expect(thrown).toBeInstanceOf(SetError);
      expect(thrown).toMatchObject({ code: "invalidCertificate" });
    }
  });
});

describe("publicKeyIn", () => {
  test("the SPKI certificateRef cuts, as a view on the certificate's own bytes", async () => {
    const pki = await pkiFor(nodeProvider());
    for (const cert of [
      pki.cardholder.certificate,
      pki.merchantSig.certificate,
      pki.gatewayKex.certificate,
    ]) {
      const copy = fresh(cert);
      const spki = publicKeyIn(copy);
      expect(spki).toEqual(certificateRef(cert).spki);
      expect(spki.buffer).toBe(copy.buffer);
    }
  });

  test("bytes that are not a certificate fail as certificateRef fails", () => {
    // the outline of a certificate too short to reach its SPKI, and a bare OCTET STRING
    const short = tlv(universal(16), true, tlv(universal(16), true, Uint8Array.from([0x02, 0x01, 0x01])));
    for (const junk of [short, Uint8Array.from([0x04, 0x00])]) {
      expect(() => publicKeyIn(junk)).toThrow(expect.objectContaining({ code: "invalidCertificate" }));
      expect(() => certificateRef(junk)).toThrow(expect.objectContaining({ code: "invalidCertificate" }));
    }
  });
});
