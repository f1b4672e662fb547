/** OpenSSL as an independent judge of every profile the CA issues and of its CRLs (docs/interop.md: -ignore_critical). */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  freshKey,
  merchantData,
  pooledHierarchy,
  provider,
  type TempStore,
  tempStore,
  testCard,
} from "./caFixture.test-helper";
import type { CertificateAuthority } from "./certificateAuthority";
import type { Hierarchy } from "./hierarchy";
import { type ProfileName, profileNames, profiles } from "./profiles";

let t: TempStore;
let h: Hierarchy;
let other: Hierarchy;
beforeAll(async () => {
  t = tempStore();
  h = await pooledHierarchy({ brands: ["Visa", "MasterCard"], geopolitical: true, store: t.store, provider });
  other = await pooledHierarchy({ brands: ["Visa"], store: t.store, provider });
});
afterAll(() => t.cleanup());

const pem = (der: Uint8Array, label = "CERTIFICATE") =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END ${label}-----\n`;

function write(name: string, content: string | Uint8Array): string {
  const path = join(t.dir, name);
  writeFileSync(path, content);
  return path;
}

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function verify(name: string, leaf: Uint8Array, intermediates: Uint8Array[], root: Uint8Array) {
  const rootPem = write(`${name}-root.pem`, pem(root));
  const leafPem = write(`${name}-leaf.pem`, pem(leaf));
  const args = ["verify", "-ignore_critical", "-CAfile", rootPem];
  if (intermediates.length > 0)
    args.push("-untrusted", write(`${name}-chain.pem`, intermediates.map((d) => pem(d)).join("")));
  return openssl([...args, leafPem]);
}

const issuerFor = (brand: string): Record<ProfileName, CertificateAuthority | undefined> => {
  const c = h.brands[brand];
  return {
    rca: undefined,
    bca: h.root,
    gca: c.bca,
    cca: c.gca,
    mca: c.gca,
    pca: c.gca,
    cardholderSignature: c.cca,
    merchantSignature: c.mca,
    merchantKeyExchange: c.mca,
    gatewaySignature: c.pca,
    gatewayKeyExchange: c.pca,
  };
};

describe("OpenSSL accepts", () => {
  it("the root", () => {
    const r = verify("rca", h.root.der, [], h.root.der);
    expect(r.out).toContain("OK");
    expect(r.status).toBe(0);
  });

  it.each(profileNames.filter((p) => p !== "rca"))(
    "a fresh %s certificate through its chain",
    async (profile) => {
      const issuer = issuerFor("MasterCard")[profile] as CertificateAuthority;
      const p = profiles[profile];
      const { spki } = await freshKey(p.purpose === "keyEncipherment" ? "keyEncipherment" : "signature");
      const issued = await issuer.issue({
        profile,
        commonName: `MasterCard ${profile}`,
        brand: "MasterCard",
        publicKey: spki,
        merchantData: p.merchantData ? merchantData : undefined,
        cardholder: p.cardholder ? testCard : undefined,
      });
      const chain = h.chainOf(issuer);
      const r = verify(profile, issued.der, chain, h.root.der);
      expect(r.out).toContain("OK");
      expect(r.status).toBe(0);
      // The same leaf does not verify under another root: the judge can say no.
      const foreign = verify(`${profile}-foreign`, issued.der, chain, other.root.der);
      expect(foreign.status).not.toBe(0);
    },
  );

  it("every CA's CRL, with a revoked entry, and refuses a tampered one", async () => {
    const { spki } = await freshKey();
    const cca = h.brands.Visa.cca;
    const leaf = await cca.issue({ profile: "cardholderSignature", publicKey: spki, cardholder: testCard });
    await cca.revoke(leaf.serial, "keyCompromise");
    const cas = [
      h.root,
      ...Object.values(h.brands).flatMap((b) => [b.bca, b.gca, b.cca, b.mca, b.pca]),
    ].filter((c): c is CertificateAuthority => !!c);
    for (const [i, ca] of cas.entries()) {
      const crl = await ca.crl();
      const issuerPem = write(`crl-issuer-${i}.pem`, pem(ca.der));
      const crlPath = write(`crl-${i}.der`, crl.der);
      const r = openssl(["crl", "-verify", "-noout", "-CAfile", issuerPem, "-in", crlPath, "-inform", "DER"]);
      expect(r.out).toMatch(/verify OK/);
      expect(r.status).toBe(0);
      if (ca === cca) {
        const text = openssl(["crl", "-noout", "-text", "-in", crlPath, "-inform", "DER"]).out;
        expect(text.toLowerCase().replace(/:/g, "")).toContain(leaf.serial);
        expect(text).toContain("Key Compromise");
        expect(text).toMatch(/X509v3 CRL Number:\s+\d+/);
        const tampered = new Uint8Array(crl.der);
        tampered[tampered.length - 3] ^= 1;
        const bad = openssl([
          "crl",
          "-verify",
          "-noout",
          "-CAfile",
          issuerPem,
          "-in",
          write("crl-bad.der", tampered),
          "-inform",
          "DER",
        ]);
        expect(bad.out).not.toMatch(/verify OK/);
      }
    }
  });
});
