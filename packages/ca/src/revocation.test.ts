/**
 * Revocation-aware path validation over a real hierarchy: CRLs and BrandCRLIdentifiers come from
 * the CA core, and validateChain judges them through checkRevocation.
 */
import {
  parseSetCertificate,
  type RevocationInput,
  validateChain,
  verifyBrandCRLIdentifier,
} from "@setlab/protocol";
import { publishBrandCRLIdentifier } from "./brandCrlIdentifier";
import {
  freshKey,
  merchantData,
  pooledHierarchy,
  provider,
  type TempStore,
  tempStore,
} from "./caFixture.test-helper";
import type { CertificateAuthority } from "./certificateAuthority";
import type { Hierarchy } from "./hierarchy";

let t: TempStore;
let h: Hierarchy;
beforeAll(async () => {
  t = tempStore();
  h = await pooledHierarchy({ brands: ["Visa", "MasterCard"], store: t.store, provider });
});
afterAll(() => t.cleanup());

const DAY = 86400_000;

function casOf(brand: string): CertificateAuthority[] {
  const b = h.brands[brand];
  return [h.root, b.bca, b.cca, b.mca, b.pca];
}

/** The latest CRL of every CA of the brand: what the brand's next BCI names. */
async function currentCrls(brand: string): Promise<Uint8Array[]> {
  return Promise.all(casOf(brand).map(async (ca) => (await ca.currentCrl()).der));
}

async function issueLeaf(ca: CertificateAuthority, name: string) {
  const { spki } = await freshKey("signature");
  const merchant = ca === h.brands[ca.brand ?? ""].mca;
  return ca.issue({
    profile: merchant ? "merchantSignature" : "gatewaySignature",
    commonName: name,
    publicKey: spki,
    merchantData: merchant ? merchantData : undefined,
  });
}

async function revocationFor(
  brand: string,
  lifetimeDays = 7,
): Promise<{ bci: RevocationInput["bci"]; crls: Uint8Array[] }> {
  const bci = await h.bci(brand, lifetimeDays);
  return {
    bci: { der: bci.der, brandCa: parseSetCertificate(h.brands[brand].bca.der) },
    crls: await currentCrls(brand),
  };
}

const validate = (
  leaf: Uint8Array,
  ca: CertificateAuthority,
  revocation: Omit<RevocationInput, "at">,
  at = new Date(),
) => validateChain(provider, leaf, h.chainOf(ca), h.root.der, at, { revocation });

describe("revocation-aware path validation", () => {
  it("passes a good chain whose every issuer has a current CRL named by the BCI", async () => {
    const mca = h.brands.Visa.mca;
    const leaf = await issueLeaf(mca, "Good Shop");
    const chain = await validate(leaf.der, mca, await revocationFor("Visa"));
    expect(chain.brand).toBe("Visa");
  });

  it("accepts a BCI the caller has already verified", async () => {
    const mca = h.brands.Visa.mca;
    const leaf = await issueLeaf(mca, "Pre-verified Shop");
    const r = await revocationFor("Visa");
    const { der, brandCa } = r.bci as { der: Uint8Array; brandCa: ReturnType<typeof parseSetCertificate> };
    const verified = await verifyBrandCRLIdentifier(provider, der, brandCa, new Date());
    await expect(validate(leaf.der, mca, { ...r, bci: verified })).resolves.toBeDefined();
  });

  it("refuses a revoked leaf with revokedCertificate", async () => {
    const mca = h.brands.Visa.mca;
    const leaf = await issueLeaf(mca, "Revoked Shop");
    await expect(validate(leaf.der, mca, await revocationFor("Visa"))).resolves.toBeDefined();
    await mca.revoke(leaf.serial, "keyCompromise");
    await mca.crl();
    await expect(validate(leaf.der, mca, await revocationFor("Visa"))).rejects.toMatchObject({
      code: "revokedCertificate",
    });
  });

  it("refuses a leaf under a revoked intermediate CA with revokedCertificate", async () => {
    const { bca, pca } = h.brands.MasterCard;
    const leaf = await issueLeaf(pca, "MC Gateway");
    await expect(validate(leaf.der, pca, await revocationFor("MasterCard"))).resolves.toBeDefined();
    await bca.revoke(pca.certificate.serialNumber, "cACompromise");
    await bca.crl();
    await expect(validate(leaf.der, pca, await revocationFor("MasterCard"))).rejects.toMatchObject({
      code: "revokedCertificate",
      message: expect.stringContaining("Payment Gateway CA"),
    });
  });

  it("fails with missingCertificate when a CRL the BCI names is not supplied", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Missing CRL Shop");
    const r = await revocationFor("Visa");
    const mcaCrl = (await mca.currentCrl()).der;
    const crls = r.crls.filter((c) => !Buffer.from(c).equals(mcaCrl));
    expect(crls).toHaveLength(r.crls.length - 1);
    await expect(validate(leaf.der, mca, { ...r, crls })).rejects.toMatchObject({
      code: "missingCertificate",
    });
  });

  it("fails when the BCI names no CRL of an issuer on the path", async () => {
    const b = h.brands.Visa;
    const leaf = await issueLeaf(b.mca, "Unlisted Issuer Shop");
    const bci = await publishBrandCRLIdentifier({
      brandCa: b.bca,
      cas: [h.root, b.bca, b.cca, b.pca],
      store: t.store,
      provider,
    });
    const r = {
      bci: { der: bci.der, brandCa: parseSetCertificate(b.bca.der) },
      crls: await currentCrls("Visa"),
    };
    await expect(validate(leaf.der, b.mca, r)).rejects.toMatchObject({
      code: "invalidCertificate",
      message: expect.stringContaining("names no CRL of"),
    });
  });

  it("does not trust an older CRL the current BCI no longer names", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Superseded CRL Shop");
    const before = await revocationFor("Visa");
    await mca.revoke(leaf.serial);
    await mca.crl();
    const after = await revocationFor("Visa");
    // Only the pre-revocation CRLs: the current BCI's CRL of the MCA is absent, the old one ignored.
    await expect(validate(leaf.der, mca, { ...after, crls: before.crls })).rejects.toMatchObject({
      code: "missingCertificate",
    });
    await expect(
      validate(leaf.der, mca, { ...after, crls: [...before.crls, ...after.crls] }),
    ).rejects.toMatchObject({ code: "revokedCertificate" });
  });

  it("ignores a CRL the BCI does not name, even a newer one that lists the leaf", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Unnamed CRL Shop");
    const r = await revocationFor("Visa");
    await mca.revoke(leaf.serial);
    const newer = await mca.crl();
    await expect(validate(leaf.der, mca, { ...r, crls: [...r.crls, newer.der] })).resolves.toBeDefined();
  });

  it("refuses a named CRL whose signature was tampered with", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Tampered CRL Shop");
    const r = await revocationFor("Visa");
    const mcaCrl = (await mca.currentCrl()).der;
    const crls = r.crls.map((c) => {
      if (!Buffer.from(c).equals(mcaCrl)) return c;
      const bad = new Uint8Array(c);
      bad[bad.length - 1] ^= 1;
      return bad;
    });
    await expect(validate(leaf.der, mca, { ...r, crls })).rejects.toMatchObject({ code: "signatureFailure" });
  });

  it("refuses a stale CRL once its nextUpdate has passed", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Stale CRL Shop");
    await mca.crl(1);
    const r = await revocationFor("Visa", 30);
    const later = new Date(Date.now() + 2 * DAY);
    await expect(validate(leaf.der, mca, r, new Date())).resolves.toBeDefined();
    await expect(validate(leaf.der, mca, r, later)).rejects.toMatchObject({
      code: "invalidCertificate",
      message: expect.stringContaining("stale"),
    });
  });

  it("refuses an expired BCI", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Expired BCI Shop");
    const r = await revocationFor("Visa", 1);
    const later = new Date(Date.now() + 2 * DAY);
    await expect(validate(leaf.der, mca, r, later)).rejects.toMatchObject({
      code: "invalidCertificate",
      message: expect.stringContaining("notBefore..notAfter"),
    });
  });

  it("refuses a BCI of the other brand", async () => {
    const { mca } = h.brands.Visa;
    const leaf = await issueLeaf(mca, "Cross-brand BCI Shop");
    const visa = await revocationFor("Visa");
    const mc = await revocationFor("MasterCard");
    await expect(validate(leaf.der, mca, { ...mc, crls: [...visa.crls, ...mc.crls] })).rejects.toMatchObject({
      code: "invalidCertificate",
      message: expect.stringContaining("cannot vouch for a Visa path"),
    });
  });
});
