import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { decodeDer } from "../asn1/codec";
import { nodeProvider } from "../crypto/provider";
import { CertificateType, HashedRootKey, MerchantData } from "../schema/certExtensions";
import { CertExtension } from "../schema/oids";
import { cachedTestKeyPair, createTestParty, createTestPki, partyNames, type TestPki } from "./pki";

const p = nodeProvider();

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const parse = (der: Uint8Array) => new x509.X509Certificate(new Uint8Array(der));
const ext = (c: x509.X509Certificate, oid: string) => c.extensions.find((e) => e.type === oid);

describe("createTestPki", () => {
  test("every party's certificate chains to its issuer's key", async () => {
    for (const n of partyNames) {
      const cert = parse(pki[n].certificate);
      const issuer =
        n === "root" || n === "nextRoot" ? cert : parse(pki.intermediatesOf(n)[0] ?? pki.root.certificate);
      expect(cert.issuer).toBe(issuer.subject);
      expect(await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true })).toBe(true);
    }
  });

  test("the SET profile extensions are present with the right criticality and contents", () => {
    const merchant = parse(pki.merchantSig.certificate);
    expect(ext(merchant, "2.5.29.15")?.critical).toBe(true);
    expect(ext(merchant, "2.5.29.19")).toBeUndefined();
    expect(ext(merchant, "2.5.29.32")?.critical).toBe(true);
    const type = ext(merchant, CertExtension.certificateType);
    expect(type?.critical).toBe(true);
    expect(decodeDer(CertificateType, new Uint8Array(type?.value ?? []))).toEqual(["mer"]);
    const data = decodeDer(
      MerchantData,
      new Uint8Array(ext(merchant, CertExtension.merchantData)?.value ?? []),
    );
    expect(data.merAcquirerBIN).toBe("411111");

    const root = parse(pki.root.certificate);
    expect(ext(root, "2.5.29.19")?.critical).toBe(true);
    expect(
      decodeDer(HashedRootKey, new Uint8Array(ext(root, CertExtension.hashedRootKey)?.value ?? []))
        .rootKeyHash,
    ).toHaveLength(32);
    expect(ext(parse(pki.gatewayKex.certificate), CertExtension.cardCertRequired)).toBeDefined();
    expect(ext(parse(pki.cardholder.certificate), CertExtension.merchantData)).toBeUndefined();
  });

  test("authorityKeyIdentifier uses issuer+serial, never a key identifier", () => {
    const leaf = parse(pki.cardholder.certificate);
    const aki = leaf.getExtension(x509.AuthorityKeyIdentifierExtension);
    const ca = parse(pki.cardholderCa.certificate);
    expect(aki?.keyId).toBeUndefined();
    expect(aki?.certId?.serialNumber).toBe(ca.serialNumber);
  });

  test("signature keys sign, key-exchange keys decrypt, private keys export as PKCS#8 PEM", async () => {
    const data = new Uint8Array([1, 2, 3]);
    const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pki.cardholder.privateKey, data);
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", pki.cardholder.publicKey, sig, data)).toBe(true);
    const ct = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, pki.gatewayKex.publicKey, data);
    expect(
      new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, pki.gatewayKex.privateKey, ct)),
    ).toEqual(data);
    expect(pki.gatewayKex.privateKey.usages.sort()).toEqual(["decrypt", "unwrapKey"]);
    expect(pki.merchantKex.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test("fixed keys, dates and serials give byte-identical certificates", async () => {
    const keys = Object.fromEntries(
      partyNames.map((n) => [n, { privateKey: pki[n].privateKey, publicKey: pki[n].publicKey }]),
    );
    const fixed = {
      keys,
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2028-01-01T00:00:00Z"),
      serialSeed: 0x1000,
    };
    const a = await createTestPki(p, fixed);
    const b = await createTestPki(p, fixed);
    for (const n of partyNames) expect(a[n].certificate).toEqual(b[n].certificate);
    expect(parse(a.merchantKex.certificate).serialNumber).toBe(
      (0x1000 + partyNames.indexOf("merchantKex")).toString(16),
    );
  });

  test("overrides produce the requested deviation", async () => {
    const bad = await createTestPki(p, {
      overrides: {
        merchantSig: { certificateType: ["card"], keyUsage: null },
        gatewaySig: {
          extraExtensions: [{ oid: "1.3.6.1.4.1.32473.1.99", critical: true, value: Uint8Array.of(5, 0) }],
        },
      },
    });
    const m = parse(bad.merchantSig.certificate);
    expect(
      decodeDer(CertificateType, new Uint8Array(ext(m, CertExtension.certificateType)?.value ?? [])),
    ).toEqual(["card"]);
    expect(ext(m, "2.5.29.15")).toBeUndefined();
    expect(ext(parse(bad.gatewaySig.certificate), "1.3.6.1.4.1.32473.1.99")?.critical).toBe(true);
  });

  test("createTestParty issues a one-off certificate under any issuer", async () => {
    const keys = await cachedTestKeyPair("oneOff", "signature");
    const p = await createTestParty(pki.merchantCa, {
      name: "Shop 2",
      roles: ["mer"],
      use: "signature",
      brand: "Visa",
      keys,
    });
    const c = parse(p.certificate);
    expect(c.issuer).toBe(parse(pki.merchantCa.certificate).subject);
    expect(
      await c.verify({ publicKey: parse(pki.merchantCa.certificate).publicKey, signatureOnly: true }),
    ).toBe(true);
  });
});
