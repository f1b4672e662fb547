/**
 * OpenSSL as the independent judge of the test PKI's chains. Interop facts this file pins down:
 * - OpenSSL refuses every SET certificate with error 34 "unhandled critical extension": it knows
 *   the 2.23.42.7.x OIDs by name (setCext-certType, setCext-hashedRoot) but does not process them,
 *   and SET marks certificateType and hashedRootKey critical. `-ignore_critical` is required.
 * - With that flag the chains verify; signatures and validity are still enforced.
 * - `-x509_strict` additionally refuses SET's issuer+serial authorityKeyIdentifier (error 85,
 *   RFC 5280 wants a keyIdentifier) and CA certificates without subjectKeyIdentifier (error 86).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeProvider } from "../crypto/provider";
import { createTestPki, type PartyName, type TestPki } from "../testing/pki";

const p = nodeProvider();

let pki: TestPki;
let dir: string;
beforeAll(async () => {
  pki = await createTestPki();
  dir = mkdtempSync(join(tmpdir(), "setlab-openssl-"));
  writeFileSync(join(dir, "root.pem"), pki.root.certificatePem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").trimEnd()}\n-----END CERTIFICATE-----\n`;

function opensslVerify(name: string, leaf: Uint8Array, intermediates: Uint8Array[], flags: string[]) {
  const leafPath = join(dir, `${name}.pem`);
  const interPath = join(dir, `${name}-inter.pem`);
  writeFileSync(leafPath, pem(leaf));
  writeFileSync(interPath, intermediates.map(pem).join(""));
  const untrusted = intermediates.length ? ["-untrusted", interPath] : [];
  const r = spawnSync(
    "openssl",
    ["verify", ...flags, "-CAfile", join(dir, "root.pem"), ...untrusted, leafPath],
    {
      encoding: "utf8",
    },
  );
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const leaves: PartyName[] = [
  "cardholder",
  "merchantSig",
  "merchantKex",
  "gatewaySig",
  "gatewayKex",
  "cardholderCa",
  "brandCa",
];

describe("openssl verify", () => {
  test.each(leaves)("accepts %s's chain once told to ignore SET's critical private extensions", (name) => {
    const r = opensslVerify(name, pki[name].certificate, pki.intermediatesOf(name), ["-ignore_critical"]);
    expect(r.out).toContain(": OK");
    expect(r.ok).toBe(true);
  });

  test("refuses SET certificates without -ignore_critical: unhandled critical extension (error 34)", () => {
    const r = opensslVerify("strict", pki.merchantSig.certificate, pki.intermediatesOf("merchantSig"), []);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/error 34 at 0 depth lookup: unhandled critical extension/);
  });

  test("-x509_strict refuses SET's issuer+serial authorityKeyIdentifier", () => {
    const r = opensslVerify("x509strict", pki.cardholder.certificate, pki.intermediatesOf("cardholder"), [
      "-ignore_critical",
      "-x509_strict",
    ]);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/Missing Authority Key Identifier/);
  });

  test("still refuses a tampered signature and an expired chain", () => {
    const der = Uint8Array.from(pki.gatewayKex.certificate);
    der[der.length - 3] ^= 1;
    const tampered = opensslVerify("tampered", der, pki.intermediatesOf("gatewayKex"), ["-ignore_critical"]);
    expect(tampered.ok).toBe(false);
    expect(tampered.out).toMatch(/signature failure/);
    const later = String(Math.floor(Date.now() / 1000) + 5 * 365 * 86400);
    const expired = opensslVerify("expired", pki.gatewayKex.certificate, pki.intermediatesOf("gatewayKex"), [
      "-ignore_critical",
      "-attime",
      later,
    ]);
    expect(expired.ok).toBe(false);
    expect(expired.out).toMatch(/certificate has expired/);
  });

  test("refuses a certificate from another hierarchy", async () => {
    const { cachedTestKeyPair } = await import("../testing/pki");
    const other = await createTestPki(p, {
      keys: { root: await cachedTestKeyPair("foreignRoot", "ca") },
    });
    const r = opensslVerify("foreign", other.merchantSig.certificate, other.intermediatesOf("merchantSig"), [
      "-ignore_critical",
    ]);
    expect(r.ok).toBe(false);
  });
});
