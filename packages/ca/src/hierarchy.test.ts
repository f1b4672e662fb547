import {
  type CertificateUse,
  checkCertificateUse,
  decodeDer,
  parseSetCertificate,
  schema,
  validateChain,
  verifyBrandCRLIdentifier,
  verifyNextRoot,
} from "@setlab/protocol";
import { publishBrandCRLIdentifier } from "./brandCrlIdentifier";
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
import { signedObjectThumb, tbsFields } from "./certificateBuilder";
import { CaError } from "./errors";
import { createHierarchy, type Hierarchy } from "./hierarchy";
import { type ProfileName, profiles } from "./profiles";

let t: TempStore;
let flat: Hierarchy;
let geo: Hierarchy;
beforeAll(async () => {
  t = tempStore();
  flat = await pooledHierarchy({ brands: ["Visa", "MasterCard"], store: t.store, provider });
  // One slot left to createHierarchy, so its own key generation runs too.
  geo = await pooledHierarchy({ brands: ["JCB"], geopolitical: true, store: t.store, provider }, ["JCB/gca"]);
});
afterAll(() => t.cleanup());

const useOf: Record<string, CertificateUse> = {
  signature: "signature",
  keyEncipherment: "keyEncipherment",
  certSign: "certSign",
};

async function issueEveryEndEntity(h: Hierarchy, brand: string) {
  const cas = h.brands[brand];
  const out: { profile: ProfileName; der: Uint8Array; chain: Uint8Array[] }[] = [];
  const leaves: [CertificateAuthority, ProfileName][] = [
    [cas.cca, "cardholderSignature"],
    [cas.mca, "merchantSignature"],
    [cas.mca, "merchantKeyExchange"],
    [cas.pca, "gatewaySignature"],
    [cas.pca, "gatewayKeyExchange"],
  ];
  for (const [ca, profile] of leaves) {
    const { spki } = await freshKey(
      profiles[profile].purpose === "keyEncipherment" ? "keyEncipherment" : "signature",
    );
    const issued = await ca.issue({
      profile,
      commonName: `${brand} ${profile}`,
      publicKey: spki,
      merchantData: profiles[profile].merchantData ? merchantData : undefined,
      cardholder: profiles[profile].cardholder ? testCard : undefined,
    });
    out.push({ profile, der: issued.der, chain: h.chainOf(ca) });
  }
  return out;
}

describe("hierarchy", () => {
  it.each([
    ["without", () => flat, "Visa"],
    ["with", () => geo, "JCB"],
  ])(
    "every certificate %s a geopolitical CA passes validateChain and checkCertificateUse for its role",
    async (_, get, brand) => {
      const h = get();
      const at = new Date();
      const cas = h.brands[brand as string];
      const caList = [cas.bca, cas.gca, cas.cca, cas.mca, cas.pca].filter(
        (c): c is CertificateAuthority => !!c,
      );
      for (const ca of caList) {
        const chain = await validateChain(provider, ca.der, h.chainOf(ca).slice(1), h.root.der, at);
        expect(chain.brand).toBe(brand);
        checkCertificateUse(chain.leaf, { role: ca.profile.role, use: "certSign" });
      }
      for (const leaf of await issueEveryEndEntity(h, brand as string)) {
        const p = profiles[leaf.profile];
        const chain = await validateChain(provider, leaf.der, leaf.chain, h.root.der, at);
        checkCertificateUse(chain.leaf, { role: p.role, use: useOf[p.purpose] });
        // The other key use is refused: SET keeps signature and key-exchange keys apart.
        const other = p.purpose === "signature" ? "keyEncipherment" : "signature";
        expect(() => checkCertificateUse(chain.leaf, { role: p.role, use: other })).toThrow(/cannot be used/);
        expect(chain.path.length).toBe(leaf.chain.length + 2);
      }
      await validateChain(provider, h.root.der, [], h.root.der, at);
    },
  );

  it("writes each profile's extensions as the table says", async () => {
    const root = flat.root.certificate;
    expect(root.hashedRootKey?.rootKeyHash.length).toBe(32);
    expect(root.basicConstraints).toEqual({ ca: true, pathLength: 3 });
    expect(root.keyUsage).toEqual(["keyCertSign", "cRLSign"]);
    expect(root.brand).toBeUndefined();
    expect(geo.brands.JCB.gca?.certificate.basicConstraints).toEqual({ ca: true, pathLength: 1 });
    expect(flat.brands.Visa.cca.certificate.keyUsage).toEqual(["digitalSignature", "keyCertSign", "cRLSign"]);
    const leaves = await issueEveryEndEntity(flat, "MasterCard");
    const kex = parseSetCertificate(
      leaves.find((l) => l.profile === "gatewayKeyExchange")?.der as Uint8Array,
    );
    expect(kex.tunneling?.tunneling).toBe(true);
    // MasterCard's policy: the unsigned PReq is allowed.
    expect(kex.cardCertRequired).toBe(false);
    const visa = await issueEveryEndEntity(flat, "Visa");
    for (const profile of ["gatewayKeyExchange", "gatewaySignature"])
      expect(
        parseSetCertificate(visa.find((l) => l.profile === profile)?.der as Uint8Array).cardCertRequired,
      ).toBe(true);
    expect(
      parseSetCertificate(visa.find((l) => l.profile === "merchantSignature")?.der as Uint8Array)
        .cardCertRequired,
    ).toBeUndefined();
    expect(kex.extension(schema.CertExtension.certificateType)?.critical).toBe(true);
    expect(kex.extension("2.5.29.32")?.critical).toBe(true);
    expect(kex.extension("2.5.29.15")?.critical).toBe(true);
    expect(kex.basicConstraints).toBeUndefined();
    const aki = kex.authorityKeyIdentifier;
    expect(aki?.keyIdentifier).toBeUndefined();
    expect(aki?.serialNumber).toEqual(flat.brands.MasterCard.pca.certificate.serialBytes);
    const mer = parseSetCertificate(
      leaves.find((l) => l.profile === "merchantKeyExchange")?.der as Uint8Array,
    );
    expect(mer.merchantData?.merID).toBe(merchantData.merID);
    expect(mer.tunneling).toBeUndefined();
  });

  it("a chain across brands is refused by path validation", async () => {
    const { spki } = await freshKey();
    const issued = await flat.brands.Visa.pca.issue({
      profile: "gatewaySignature",
      commonName: "GW",
      publicKey: spki,
    });
    await expect(
      validateChain(
        provider,
        issued.der,
        flat.chainOf(flat.brands.MasterCard.pca),
        flat.root.der,
        new Date(),
      ),
    ).rejects.toThrow(/invalidCertificate/);
  });

  it("the root's hashedRootKey lets the old root accept the pre-generated successor", async () => {
    const afterNext = await freshKey();
    const t2 = tempStore();
    try {
      const next = await CertificateAuthority.createRoot({
        keys: flat.nextRootKeys,
        nextRootSpki: afterNext.spki,
        commonName: "SET Lab Root CA 2",
        store: t2.store,
        provider,
      });
      await verifyNextRoot(provider, flat.root.der, next.der, new Date());
      await expect(verifyNextRoot(provider, flat.root.der, geo.root.der, new Date())).rejects.toThrow(
        /hashedRootKey/,
      );
    } finally {
      t2.cleanup();
    }
  });

  it("bci() lists the current CRL of each CA of the brand and the root, signed by the brand CA", async () => {
    const cas = flat.brands.Visa;
    const published = await flat.bci("Visa");
    const der = published.der;
    const verified = await verifyBrandCRLIdentifier(provider, der, cas.bca.certificate, new Date());
    expect(verified.content.brandID).toBe("Visa");
    expect(Buffer.from(verified.thumb).toString("hex")).toBe(published.thumb);
    expect((await t.store.findBciByThumb(published.thumb))?.der).toEqual(der);
    expect(published.sequenceNum).toBe(verified.content.sequenceNum);
    const listed = verified.content.idCRLs;
    expect(listed.length).toBe(5);
    for (const ca of [flat.root, cas.bca, cas.cca, cas.mca, cas.pca]) {
      const crl = await t.store.latestCrl(ca.id);
      const entry = listed.find((l) =>
        Buffer.from(l.issuerName).equals(Buffer.from(tbsFields(ca.der).subject)),
      );
      expect(entry?.crlNumber).toBe(crl?.number);
      expect(Buffer.from(entry?.crlThumb ?? []).toString("hex")).toBe(crl?.thumb);
      expect(Buffer.from(await signedObjectThumb(provider, crl?.der as Uint8Array)).toString("hex")).toBe(
        crl?.thumb,
      );
    }
    // A later BCI supersedes: a higher sequence number, and it names a newer CRL after a revocation.
    const { spki } = await freshKey();
    const issued = await cas.mca.issue({
      profile: "merchantSignature",
      commonName: "M",
      publicKey: spki,
      merchantData,
    });
    await cas.mca.revoke(issued.serial, "keyCompromise");
    const newCrl = await cas.mca.crl();
    const second = await verifyBrandCRLIdentifier(
      provider,
      (await flat.bci("Visa")).der,
      cas.bca.certificate,
      new Date(),
    );
    expect(second.content.sequenceNum).toBeGreaterThan(verified.content.sequenceNum);
    expect(second.content.idCRLs.map((c) => c.crlNumber)).toContain(newCrl.number);
    // Signed by Visa's brand CA, so MasterCard's refuses it.
    await expect(
      verifyBrandCRLIdentifier(provider, der, flat.brands.MasterCard.bca.certificate, new Date()),
    ).rejects.toThrow();
    expect(decodeDer(schema.BrandCRLIdentifier, der).signature.bytes.length).toBe(256);
    expect((await t.store.latestBci("Visa"))?.sequenceNum).toBe(second.content.sequenceNum);
  });

  it("publishBrandCRLIdentifier refuses a non-brand signer and another brand's CA", async () => {
    const v = flat.brands.Visa;
    const common = { store: t.store, provider };
    await expect(publishBrandCRLIdentifier({ ...common, brandCa: v.cca, cas: [v.cca] })).rejects.toThrow(
      /profileNotAllowed/,
    );
    await expect(
      publishBrandCRLIdentifier({ ...common, brandCa: v.bca, cas: [v.bca, flat.brands.MasterCard.cca] }),
    ).rejects.toThrow(/MasterCard/);
  });

  it("refuses a BCI for an unknown brand and a hierarchy with no or repeated brands", async () => {
    await expect(flat.bci("Diners")).rejects.toBeInstanceOf(CaError);
    await expect(createHierarchy({ brands: [], store: t.store, provider })).rejects.toThrow(/badRequest/);
    await expect(createHierarchy({ brands: ["Visa", "Visa"], store: t.store, provider })).rejects.toThrow(
      /badRequest/,
    );
  });
});
