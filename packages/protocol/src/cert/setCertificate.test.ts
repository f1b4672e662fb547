import { encodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import { CertificateType, MerchantData } from "../schema/certExtensions";
import { CertExtension } from "../schema/oids";
import { createTestPki, partyNames, type TestPki } from "../testing/pki";
import { parseSetCertificate } from "./setCertificate";

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

  test("an unknown critical extension is unrecognizedExtension, with its OID", async () => {
    const oid = "1.3.6.1.4.1.32473.1.99";
    const bad = await createTestPki(crypto, {
      overrides: { cardholder: { extraExtensions: [{ oid, critical: true, value: Uint8Array.of(5, 0) }] } },
    });
    expect(codeOf(() => parseSetCertificate(bad.cardholder.certificate))).toMatchObject({
      code: "unrecognizedExtension",
      oid,
    });
  });

  test("an unknown non-critical extension is ignored", async () => {
    const ok = await createTestPki(crypto, {
      overrides: {
        cardholder: {
          extraExtensions: [{ oid: "1.3.6.1.4.1.32473.1.98", critical: false, value: Uint8Array.of(5, 0) }],
        },
      },
    });
    expect(parseSetCertificate(ok.cardholder.certificate).certificateType).toEqual(["card"]);
  });

  test("a malformed SET extension value is invalidCertificate", async () => {
    const bad = await createTestPki(crypto, {
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
    const bad = await createTestPki(crypto, {
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
});
