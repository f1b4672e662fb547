import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { hashedAccountId, parseSetCertificate, SetError, wholeSeconds } from "@setlab/protocol";
import {
  freshKey,
  merchantData,
  pooledHierarchy,
  provider,
  type TempStore,
  tempStore,
  testCard,
} from "./caFixture.test-helper";
import { CertificateAuthority } from "./certificateAuthority";
import { CaError } from "./errors";
import type { Hierarchy } from "./hierarchy";
import { SqliteCaStore } from "./store";

let t: TempStore;
let h: Hierarchy;
beforeAll(async () => {
  t = tempStore();
  h = await pooledHierarchy({ brands: ["Visa", "MasterCard"], store: t.store, provider });
});
afterAll(() => t.cleanup());

const refusal = async (p: Promise<unknown>, reason: CaError["reason"]) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CaError);
  expect((e as CaError).reason).toBe(reason);
  return e as CaError;
};

describe("issuance", () => {
  it("issues from an SPKI and records the certificate", async () => {
    const { spki } = await freshKey();
    const issued = await h.brands.Visa.mca.issue({
      profile: "merchantSignature",
      commonName: "Shop",
      publicKey: spki,
      merchantData,
    });
    expect(issued.certificate.certificateType).toEqual(["mer"]);
    expect(issued.certificate.merchantData?.merID).toBe(merchantData.merID);
    expect(issued.certificate.brand).toBe("Visa");
    expect(issued.certificate.spki).toEqual(spki);
    const stored = await t.store.findBySerial(issued.serial);
    expect(stored?.der).toEqual(issued.der);
    expect(stored?.issuer).toBe(h.brands.Visa.mca.id);
    expect(await t.store.findByThumb(issued.thumb)).toBeDefined();
  });

  it("issues from a PKCS#10 request, taking its key and commonName", async () => {
    const { keys, spki } = await freshKey();
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: "CN=Gateway One",
      keys,
      signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    });
    const issued = await h.brands.Visa.pca.issue({
      profile: "gatewaySignature",
      pkcs10: new Uint8Array(csr.rawData),
    });
    expect(issued.certificate.spki).toEqual(spki);
    expect(issued.certificate.subject).toContain("CN=Gateway One");
    // Visa requires cardholder certificates, and its gateway certificates say so.
    expect(issued.certificate.cardCertRequired).toBe(true);
  });

  it("refuses a PKCS#10 request whose signature does not verify", async () => {
    const { keys } = await freshKey();
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: "CN=Forged",
      keys,
      signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    });
    const der = new Uint8Array(csr.rawData);
    der[der.length - 5] ^= 1;
    const e = await refusal(
      h.brands.Visa.pca.issue({ profile: "gatewaySignature", pkcs10: der }),
      "badRequest",
    );
    expect(e.message).toMatch(/signature/);
    expect(e).toBeInstanceOf(SetError);
    expect(e.code).toBe("signatureFailure");
    await refusal(
      h.brands.Visa.pca.issue({ profile: "gatewaySignature", pkcs10: Uint8Array.of(1, 2, 3) }),
      "badRequest",
    );
  });

  it("refuses a key it has certified before, and records nothing for the refusal", async () => {
    const { spki } = await freshKey();
    const ca = h.brands.MasterCard.pca;
    await ca.issue({ profile: "gatewaySignature", commonName: "GW", publicKey: spki });
    const before = (await t.store.listIssued(ca.id)).length;
    await refusal(
      ca.issue({ profile: "gatewaySignature", commonName: "GW again", publicKey: spki }),
      "duplicateKey",
    );
    expect((await t.store.listIssued(ca.id)).length).toBe(before);
  });

  it("lets only one of two concurrent requests for the same key through (the database decides)", async () => {
    const { spki } = await freshKey();
    const ca = h.brands.MasterCard.pca;
    const results = await Promise.allSettled([
      ca.issue({ profile: "gatewaySignature", commonName: "A", publicKey: spki }),
      ca.issue({ profile: "gatewaySignature", commonName: "B", publicKey: spki }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected?.reason).toBeInstanceOf(CaError);
    expect((rejected as PromiseRejectedResult).reason.reason).toBe("duplicateKey");
    const hash = Buffer.from(await crypto.subtle.digest("SHA-256", new Uint8Array(spki))).toString("hex");
    expect((await t.store.findBySpkiHash(hash, ca.id)).length).toBe(1);
  });

  it("gives unique, positive, 16-byte serials", async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const { spki } = await freshKey();
      const issued = await h.brands.Visa.pca.issue({
        profile: "gatewaySignature",
        commonName: `GW ${i}`,
        publicKey: spki,
      });
      expect(issued.certificate.serialBytes.length).toBe(16);
      expect(issued.certificate.serialBytes[0] & 0x80).toBe(0);
      serials.add(issued.serial);
    }
    expect(serials.size).toBe(8);
  });

  it("returns no certificate when the store cannot record it", async () => {
    class FailingStore extends SqliteCaStore {
      override async recordIssuance(): Promise<void> {
        throw new CaError("storeFailure", "disk full");
      }
    }
    const ft = tempStore();
    const failing = new FailingStore(`${ft.path}-failing`);
    try {
      const ca = await CertificateAuthority.open({
        certificate: h.brands.Visa.pca.der,
        privateKey: h.brands.Visa.pca.privateKey,
        profile: "pca",
        store: failing,
        provider,
      });
      const { spki } = await freshKey();
      await refusal(
        ca.issue({ profile: "gatewaySignature", commonName: "GW", publicKey: spki }),
        "storeFailure",
      );
      expect(await failing.findBySpkiHash("00")).toEqual([]);
    } finally {
      failing.close();
      ft.cleanup();
    }
  });

  it("writes the hashed account id, never the PAN, and stops at the card's expiry", async () => {
    const { spki } = await freshKey();
    const issued = await h.brands.Visa.cca.issue({
      profile: "cardholderSignature",
      publicKey: spki,
      cardholder: { ...testCard, cardExpiry: "202801" },
    });
    const cert = issued.certificate;
    const id = await hashedAccountId(provider, testCard.pan, "202801", testCard.panSecret);
    expect(cert.subject).toContain(`CN=${id}`);
    expect(Buffer.from(issued.der).includes(Buffer.from(testCard.pan))).toBe(false);
    expect((await t.store.findBySerial(issued.serial))?.subject).not.toContain(testCard.pan);
    expect(cert.notAfter.toISOString()).toBe("2028-01-31T23:59:59.000Z");
    expect(cert.certificateType).toEqual(["card"]);
    expect(cert.keyUsage).toEqual(["digitalSignature"]);
  });

  it("keeps the profile's validity when the card outlives it", async () => {
    const { spki } = await freshKey();
    const issued = await h.brands.Visa.cca.issue({
      profile: "cardholderSignature",
      publicKey: spki,
      cardholder: { ...testCard, cardExpiry: "209912" },
    });
    expect(issued.certificate.notAfter.getTime()).toBeLessThan(Date.UTC(2099, 0, 1));
  });

  it("refuses an expired card and bad account data without echoing the PAN", async () => {
    const { spki } = await freshKey();
    const cca = h.brands.Visa.cca;
    await refusal(
      cca.issue({
        profile: "cardholderSignature",
        publicKey: spki,
        cardholder: { ...testCard, cardExpiry: "202001" },
      }),
      "expired",
    );
    const e = await refusal(
      cca.issue({
        profile: "cardholderSignature",
        publicKey: spki,
        cardholder: { ...testCard, pan: "41111x11111" },
      }),
      "badRequest",
    );
    expect(e.message).not.toContain("41111x11111");
    await refusal(
      cca.issue({
        profile: "cardholderSignature",
        publicKey: spki,
        cardholder: { ...testCard, panSecret: new Uint8Array(4) },
      }),
      "badRequest",
    );
  });

  it("refuses profiles the CA may not issue and misplaced or missing profile data", async () => {
    const { spki } = await freshKey();
    const { Visa } = h.brands;
    await refusal(
      Visa.mca.issue({ profile: "cardholderSignature", publicKey: spki, cardholder: testCard }),
      "profileNotAllowed",
    );
    await refusal(
      Visa.cca.issue({ profile: "merchantSignature", commonName: "x", publicKey: spki, merchantData }),
      "profileNotAllowed",
    );
    await refusal(
      h.root.issue({ profile: "cca", commonName: "x", brand: "Visa", publicKey: spki }),
      "profileNotAllowed",
    );
    await refusal(
      Visa.mca.issue({ profile: "merchantSignature", commonName: "x", publicKey: spki }),
      "profileNotAllowed",
    );
    await refusal(
      Visa.pca.issue({ profile: "gatewaySignature", commonName: "x", publicKey: spki, merchantData }),
      "profileNotAllowed",
    );
    await refusal(Visa.cca.issue({ profile: "cardholderSignature", publicKey: spki }), "profileNotAllowed");
    await refusal(
      Visa.pca.issue({ profile: "gatewaySignature", commonName: "x", publicKey: spki, cardholder: testCard }),
      "profileNotAllowed",
    );
    await refusal(
      Visa.pca.issue({ profile: "gatewaySignature", commonName: "x", brand: "MasterCard", publicKey: spki }),
      "profileNotAllowed",
    );
    await refusal(
      Visa.pca.issue({ profile: "nonsense" as "gatewaySignature", commonName: "x", publicKey: spki }),
      "badRequest",
    );
    await refusal(h.root.issue({ profile: "bca", commonName: "x", publicKey: spki }), "badRequest");
  });

  it("refuses requests with no key, two keys, a non-RSA or short key, or no name", async () => {
    const { spki } = await freshKey();
    const pca = h.brands.Visa.pca;
    await refusal(pca.issue({ profile: "gatewaySignature", commonName: "x" }), "badRequest");
    await refusal(
      pca.issue({ profile: "gatewaySignature", commonName: "x", publicKey: spki, pkcs10: spki }),
      "badRequest",
    );
    await refusal(
      pca.issue({ profile: "gatewaySignature", commonName: "x", publicKey: spki.slice(1) }),
      "badRequest",
    );
    const short = await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        hash: "SHA-256",
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
      },
      true,
      ["sign", "verify"],
    );
    const shortSpki = new Uint8Array(await crypto.subtle.exportKey("spki", short.publicKey));
    await refusal(
      pca.issue({ profile: "gatewaySignature", commonName: "x", publicKey: shortSpki }),
      "badRequest",
    );
    const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ]);
    const ecSpki = new Uint8Array(await crypto.subtle.exportKey("spki", ec.publicKey));
    await refusal(
      pca.issue({ profile: "gatewaySignature", commonName: "x", publicKey: ecSpki }),
      "badRequest",
    );
    await refusal(pca.issue({ profile: "gatewaySignature", publicKey: spki }), "badRequest");
    await refusal(
      pca.issue({ profile: "gatewaySignature", commonName: "x".repeat(65), publicKey: spki }),
      "badRequest",
    );
  });

  it("writes an explicit fixtureValidity as given (lab fixtures: expired, not yet valid), and refuses an inverted one", async () => {
    const pca = h.brands.Visa.pca;
    const day = 86400_000;
    const now = wholeSeconds(new Date()).getTime();
    const expired = await pca.issue({
      profile: "gatewayKeyExchange",
      commonName: "Expired",
      publicKey: (await freshKey("keyEncipherment")).spki,
      fixtureValidity: { notBefore: new Date(now - 30 * day), notAfter: new Date(now - day) },
    });
    expect(expired.certificate.notBefore.getTime()).toBe(now - 30 * day);
    expect(expired.certificate.notAfter.getTime()).toBe(now - day);
    const future = await pca.issue({
      profile: "gatewaySignature",
      commonName: "Future",
      publicKey: (await freshKey()).spki,
      fixtureValidity: { notBefore: new Date(now + 30 * day), notAfter: new Date(now + 60 * day) },
    });
    expect(future.certificate.notBefore.getTime()).toBe(now + 30 * day);
    await refusal(
      pca.issue({
        profile: "gatewaySignature",
        commonName: "Inverted",
        publicKey: (await freshKey()).spki,
        fixtureValidity: { notBefore: new Date(now), notAfter: new Date(now - day) },
      }),
      "badRequest",
    );
  });

  it("never issues past its own expiry, and refuses a validity already over", async () => {
    const { spki } = await freshKey();
    const pca = h.brands.Visa.pca;
    const issued = await pca.issue({
      profile: "gatewaySignature",
      commonName: "Short",
      publicKey: spki,
      notAfter: new Date(Date.now() + 86400_000),
    });
    expect(issued.certificate.notAfter.getTime()).toBeLessThanOrEqual(Date.now() + 86400_000);
    const { spki: other } = await freshKey();
    await refusal(
      pca.issue({ profile: "gatewaySignature", commonName: "Past", publicKey: other, notAfter: new Date(0) }),
      "expired",
    );
    // A CA whose own certificate ends tomorrow caps what it issues there.
    const caKey = await freshKey();
    const shortCa = await h.brands.Visa.bca.issue({
      profile: "pca",
      commonName: "Short-lived PCA",
      publicKey: caKey.spki,
      notAfter: new Date(Date.now() + 86400_000),
    });
    const capped = await CertificateAuthority.open({
      certificate: shortCa.der,
      privateKey: caKey.keys.privateKey,
      profile: "pca",
      store: t.store,
      provider,
    });
    const { spki: leafKey } = await freshKey();
    const leaf = await capped.issue({ profile: "gatewaySignature", commonName: "GW", publicKey: leafKey });
    expect(leaf.certificate.notAfter).toEqual(shortCa.certificate.notAfter);
  });

  it("opens only CA certificates under a matching profile, with the matching key", async () => {
    const { spki } = await freshKey();
    const issued = await h.brands.Visa.pca.issue({
      profile: "gatewaySignature",
      commonName: "GW",
      publicKey: spki,
    });
    const open = (certificate: Uint8Array, profile: "pca" | "gatewaySignature") =>
      CertificateAuthority.open({
        certificate,
        privateKey: h.root.privateKey,
        profile,
        store: t.store,
        provider,
      });
    await refusal(open(issued.der, "gatewaySignature"), "profileNotAllowed");
    await refusal(open(h.brands.Visa.mca.der, "pca"), "profileNotAllowed");
    await refusal(open(h.brands.Visa.pca.der, "pca"), "badRequest");
    const pca = await CertificateAuthority.open({
      certificate: h.brands.Visa.pca.der,
      privateKey: h.brands.Visa.pca.privateKey,
      profile: "pca",
      store: t.store,
      provider,
    });
    expect(pca.id).toBe(h.brands.Visa.pca.id);
    expect(parseSetCertificate(issued.der).hasRole("pgwy")).toBe(true);
  });
});

describe("revocation and CRLs", () => {
  it("revokes by serial and lists the serial with its reason in the next CRL", async () => {
    const { spki } = await freshKey();
    const mca = h.brands.MasterCard.mca;
    const issued = await mca.issue({
      profile: "merchantSignature",
      commonName: "Bad",
      publicKey: spki,
      merchantData,
    });
    const first = await mca.crl();
    const revoked = await mca.revoke(issued.serial, "keyCompromise");
    expect(revoked.revocationReason).toBe("keyCompromise");
    const second = await mca.crl();
    expect(second.number).toBe(first.number + 1);
    const crl = new x509.X509Crl(new Uint8Array(second.der));
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).toContain(issued.serial);
    expect(crl.entries.find((e) => e.serialNumber.toLowerCase() === issued.serial)?.reason).toBe(
      x509.X509CrlReason.keyCompromise,
    );
    expect(
      new x509.X509Crl(new Uint8Array(first.der)).entries.map((e) => e.serialNumber.toLowerCase()),
    ).not.toContain(issued.serial);
    expect(
      await crl.verify({
        publicKey: await crypto.subtle.importKey(
          "spki",
          new Uint8Array(mca.certificate.spki),
          { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
          true,
          ["verify"],
        ),
      }),
    ).toBe(true);
    expect(crl.getExtension("2.5.29.20")).toBeTruthy();
    expect((await t.store.latestCrl(mca.id))?.number).toBe(second.number);
    expect((await t.store.findCrlByThumb(second.thumb))?.number).toBe(second.number);
  });

  it("refuses unknown, foreign and already revoked serials, and unknown reasons", async () => {
    const { spki } = await freshKey();
    const issued = await h.brands.Visa.mca.issue({
      profile: "merchantSignature",
      commonName: "M",
      publicKey: spki,
      merchantData,
    });
    expect((await refusal(h.brands.Visa.mca.revoke("00ff"), "unknownSerial")).code).toBe(
      "missingCertificate",
    );
    await refusal(h.brands.Visa.pca.revoke(issued.serial), "unknownSerial");
    await refusal(h.brands.Visa.mca.revoke(issued.serial, "whatever" as "superseded"), "badRequest");
    await h.brands.Visa.mca.revoke(issued.serial, "superseded");
    await refusal(h.brands.Visa.mca.revoke(issued.serial), "alreadyRevoked");
  });
});
