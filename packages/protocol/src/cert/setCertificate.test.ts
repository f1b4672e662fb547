import { X509Certificate } from "node:crypto";
import fc from "fast-check";
import * as pkijs from "pkijs";
import { decodeDer, encodeDer } from "../asn1/codec";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { CertificateType, MerchantData } from "../schema/certExtensions";
import { CertExtension, Std } from "../schema/oids";
import { Certificate } from "../schema/x509";
import { createTestPki, partyNames, type TestPki } from "../testing/pki";
import { parseSetCertificate, SetCertificate } from "./setCertificate";

const p = nodeProvider();

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof SetError) return { code: e.code, oid: e.oid, message: e.message };
    throw e;
  }
  throw new Error("did not throw");
};

describe("parseSetCertificate", () => {
  test("parses every party of the test PKI with its SET fields", () => {
    for (const n of partyNames) {
      const c = parseSetCertificate(pki[n].certificate);
      expect(c.version).toBe(3);
      expect(c.certificateType?.length).toBe(1);
      expect(c.notBefore.getTime()).toBeLessThan(c.notAfter.getTime());
    }
    const m = parseSetCertificate(pki.merchantSig.certificate);
    expect(m.certificateType).toEqual(["mer"]);
    expect(m.keyUsage).toEqual(["digitalSignature"]);
    expect(m.basicConstraints).toBeUndefined();
    expect(m.merchantData?.merID).toBe("SETLAB-MER-0001");
    expect(m.brand).toBe("Visa");
    expect(m.authorityKeyIdentifier?.keyIdentifier).toBeUndefined();
    const root = parseSetCertificate(pki.root.certificate);
    expect(root.selfIssued).toBe(true);
    expect(root.brand).toBeUndefined();
    expect(root.hashedRootKey?.rootKeyHash).toHaveLength(32);
    expect(root.basicConstraints?.ca).toBe(true);
    expect(parseSetCertificate(pki.gatewaySig.certificate).cardCertRequired).toBe(false);
    expect(parseSetCertificate(pki.gatewayKex.certificate).keyUsage).toEqual(["keyEncipherment"]);
  });

  test("reads its own copy of the DER: the caller's bytes changed afterwards change nothing", () => {
    const der = new Uint8Array(pki.merchantSig.certificate);
    const c = new SetCertificate(der);
    const before = {
      tbs: [...c.tbs],
      spki: [...c.spki],
      serial: c.serialNumber,
      signature: [...c.signature],
    };
    // The byte fields are views on the certificate's own copy (one buffer, no copy each).
    for (const field of [c.tbs, c.spki, c.subjectDer, c.signature, c.serialBytes]) {
      expect(field.buffer).toBe(c.der.buffer);
      expect(field.buffer).not.toBe(der.buffer);
    }
    der.fill(0);
    expect({
      tbs: [...c.tbs],
      spki: [...c.spki],
      serial: c.serialNumber,
      signature: [...c.signature],
    }).toEqual(before);
  });

  test("an unknown critical extension is unrecognizedExtension, with its OID", async () => {
    const oid = "1.3.6.1.4.1.32473.1.99";
    const bad = await createTestPki(p, {
      overrides: { cardholder: { extraExtensions: [{ oid, critical: true, value: Uint8Array.of(5, 0) }] } },
    });
    expect(codeOf(() => parseSetCertificate(bad.cardholder.certificate))).toMatchObject({
      code: "unrecognizedExtension",
      oid,
    });
  });

  test("an unknown non-critical extension is ignored", async () => {
    const ok = await createTestPki(p, {
      overrides: {
        cardholder: {
          extraExtensions: [{ oid: "1.3.6.1.4.1.32473.1.98", critical: false, value: Uint8Array.of(5, 0) }],
        },
      },
    });
    expect(parseSetCertificate(ok.cardholder.certificate).certificateType).toEqual(["card"]);
  });

  test("a malformed SET extension value is invalidCertificate", async () => {
    const bad = await createTestPki(p, {
      overrides: {
        merchantSig: {
          merchantData: null,
          extraExtensions: [
            { oid: CertExtension.merchantData, critical: false, value: encodeDer(CertificateType, ["mer"]) },
          ],
        },
      },
    });
    expect(codeOf(() => parseSetCertificate(bad.merchantSig.certificate))).toMatchObject({
      code: "invalidCertificate",
      oid: CertExtension.merchantData,
    });
  });

  test("a repeated extension is invalidCertificate", async () => {
    const value = encodeDer(MerchantData, {
      merID: "X",
      merAcquirerBIN: "411111",
      merNameSeq: [{ name: "X" }],
      merCountry: 392,
      merAuthFlag: true,
    });
    const bad = await createTestPki(p, {
      overrides: {
        merchantSig: { extraExtensions: [{ oid: CertExtension.merchantData, critical: false, value }] },
      },
    });
    expect(codeOf(() => parseSetCertificate(bad.merchantSig.certificate)).code).toBe("invalidCertificate");
  });

  test("garbage, truncation and trailing bytes are invalidCertificate", () => {
    const der = pki.cardholder.certificate;
    expect(codeOf(() => parseSetCertificate(Uint8Array.of(1, 2, 3))).code).toBe("invalidCertificate");
    expect(codeOf(() => parseSetCertificate(der.subarray(0, der.length - 1))).code).toBe(
      "invalidCertificate",
    );
    expect(codeOf(() => parseSetCertificate(Uint8Array.of(...der, 0))).code).toBe("invalidCertificate");
    expect(codeOf(() => parseSetCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).code).toBe(
      "invalidCertificate",
    );
  });

  test("reads what pkijs and OpenSSL read, and names certificates as before", () => {
    const names: Record<string, string> = {
      "2.5.4.6": "C",
      "2.5.4.10": "O",
      "2.5.4.11": "OU",
      "2.5.4.3": "CN",
    };
    // The readable-name format the pkijs-based parser produced, which logs and tests compare.
    const pkijsText = (n: pkijs.RelativeDistinguishedNames) =>
      n.typesAndValues
        .map((tv) => `${names[tv.type] ?? tv.type}=${String(tv.value.valueBlock.value)}`)
        .join(", ");
    for (const n of partyNames) {
      const der = pki[n].certificate;
      const c = new SetCertificate(der);
      const p = pkijs.Certificate.fromBER(Uint8Array.from(der));
      const x = new X509Certificate(der);
      expect(c.subject).toBe(pkijsText(p.subject));
      expect(c.issuer).toBe(pkijsText(p.issuer));
      expect(c.commonName).toBe(
        String(p.subject.typesAndValues.find((t) => t.type === "2.5.4.3")?.value.valueBlock.value),
      );
      expect(c.tbs).toEqual(new Uint8Array(p.tbsView));
      expect(c.signature).toEqual(new Uint8Array(p.signatureValue.valueBlock.valueHexView));
      expect(c.serialNumber.replace(/^0+/, "").toUpperCase()).toBe(x.serialNumber.replace(/^0+/, ""));
      expect(c.notBefore).toEqual(new Date(x.validFrom));
      expect(c.notAfter).toEqual(new Date(x.validTo));
      expect(c.spki).toEqual(new Uint8Array(x.publicKey.export({ type: "spki", format: "der" })));
      expect(c.publicKeyAlgorithm).toBe(Std.rsaEncryption);
      expect(c.signatureAlgorithm).toBe(Std.sha256WithRSAEncryption);
      expect(encodeDer(Certificate, decodeDer(Certificate, der))).toEqual(der);
    }
    const m = parseSetCertificate(pki.merchantSig.certificate);
    expect(m.subject).toBe("C=US, O=Visa, OU=mer, CN=Visa Merchant");
    expect(m.subjectAttribute("2.5.4.10")).toBe("Visa");
    expect(m.subjectAttribute("2.5.4.7")).toBeUndefined();
  });

  test("a validity past 2049 (GeneralizedTime) is read", async () => {
    const notAfter = new Date("2060-06-01T00:00:00Z");
    const later = await createTestPki(p, { overrides: { cardholder: { notAfter } } });
    expect(parseSetCertificate(later.cardholder.certificate).notAfter).toEqual(notAfter);
  });

  test("a certificate in BER but not DER is invalidCertificate", () => {
    const der = pki.cardholder.certificate;
    expect(der[1]).toBe(0x82); // two length octets; write the same length in three
    const ber = Uint8Array.of(0x30, 0x83, 0x00, der[2], der[3], ...der.subarray(4));
    expect(codeOf(() => parseSetCertificate(ber))).toMatchObject({ code: "invalidCertificate" });
  });

  test("an inner signature algorithm other than the outer one is invalidCertificate", () => {
    const cert = decodeDer(Certificate, pki.cardholder.certificate);
    const other = encodeDer(Certificate, {
      ...cert,
      signatureAlgorithm: { algorithm: "1.2.840.113549.1.1.13", parameters: Uint8Array.of(5, 0) },
    });
    expect(codeOf(() => parseSetCertificate(other)).message).toMatch(/inside TBSCertificate differs/);
  });

  test("a serial number longer than 20 octets is invalidCertificate", () => {
    const cert = decodeDer(Certificate, pki.cardholder.certificate);
    const tbs = { ...cert.tbsCertificate.value, serialNumber: new Uint8Array(20).fill(0x11) };
    const der = encodeDer(Certificate, { ...cert, tbsCertificate: { value: tbs, der: new Uint8Array(0) } });
    // Splice in a 21st octet and grow the two enclosing SEQUENCE lengths (both in long form).
    const at = der.findIndex((_, i) => der[i] === 0x02 && der[i + 1] === 20 && der[i + 2] === 0x11);
    const longer = Uint8Array.of(...der.subarray(0, at), 0x02, 21, 0x11, ...der.subarray(at + 2));
    for (const lengthAt of [2, 6]) {
      const n = longer[lengthAt] * 256 + longer[lengthAt + 1] + 1;
      longer[lengthAt] = n >> 8;
      longer[lengthAt + 1] = n & 0xff;
    }
    expect(() => new SetCertificate(der)).not.toThrow();
    expect(codeOf(() => parseSetCertificate(longer)).message).toMatch(/serial number of 21 octets/);
  });

  test("a malformed certificatePolicies is invalidCertificate, with its OID", async () => {
    const bad = await createTestPki(p, {
      overrides: {
        gatewaySig: {
          certificatePolicies: null,
          extraExtensions: [{ oid: "2.5.29.32", critical: true, value: Uint8Array.of(0x30, 0x00) }],
        },
      },
    });
    expect(codeOf(() => parseSetCertificate(bad.gatewaySig.certificate))).toMatchObject({
      code: "invalidCertificate",
      oid: "2.5.29.32",
    });
  });

  test("any byte changed, cut or added gives a certificate or a SetError, never a crash", () => {
    const der = pki.merchantSig.certificate;
    fc.assert(
      fc.property(
        fc.nat({ max: der.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("flip", "cut", "insert"),
        (at, x, how) => {
          const bytes =
            how === "flip"
              ? Uint8Array.from(der, (b, i) => (i === at ? b ^ x : b))
              : how === "cut"
                ? Uint8Array.of(...der.subarray(0, at), ...der.subarray(at + 1))
                : Uint8Array.of(...der.subarray(0, at), x, ...der.subarray(at));
          try {
            const c = new SetCertificate(bytes);
            expect(c.der).toEqual(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(SetError);
            expect(["invalidCertificate", "unrecognizedExtension"]).toContain((e as SetError).code);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
