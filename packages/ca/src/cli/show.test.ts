import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultProvider, signBrandCRLIdentifier } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { bufferIo } from "@setlab/runtime";
import { main } from "../cli";
import { toPem } from "./pem";

let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki(defaultProvider, { cardCertRequired: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "set-ca-show-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, ...io };
}

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe("set-ca show", () => {
  it("dumps a merchant certificate (PEM) with merchantData and the certificate type decoded", async () => {
    const r = await run("show", write("mer.pem", pki.merchantSig.certificatePem));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^SET certificate\n/);
    expect(r.stdout).toMatch(/subject:\s+.*CN=Visa Merchant\n/);
    expect(r.stdout).toMatch(/issuer:\s+.*CN=Visa Merchant CA/);
    expect(r.stdout).toMatch(/certificateType \(critical\):\s+mer \(merchant\)/);
    expect(r.stdout).toMatch(/keyUsage \(critical\):\s+digitalSignature/);
    expect(r.stdout).toMatch(/merchantData:\s+merID \S+, acquirer BIN \d+/);
    expect(r.stdout).toMatch(/public key:\s+rsaEncryption \(1\.2\.840\.113549\.1\.1\.1\), 2048 bits/);
    expect(r.stdout).toMatch(/thumb \(SHA-256 of TBS\):\s+[0-9a-f]{64}/);
  });

  it("reads DER as well, and decodes hashedRootKey on the root and cardCertRequired on the gateway", async () => {
    const root = await run("show", write("root.der", pki.root.certificate));
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(
      /hashedRootKey \(critical\):\s+sha256 \(2\.16\.840\.1\.101\.3\.4\.2\.1\) [0-9a-f]{64}/,
    );
    expect(root.stdout).toMatch(/certificateType \(critical\):\s+rca \(root CA\)/);
    expect(root.stdout).toMatch(/basicConstraints \(critical\):\s+CA/);
    const gw = await run("show", write("gw.der", pki.gatewaySig.certificate));
    expect(gw.stdout).toMatch(/cardCertRequired:\s+true/);
    expect(gw.stdout).toMatch(/pgwy \(payment gateway\)/);
  });

  it("dumps a BrandCRLIdentifier, PEM or DER", async () => {
    const brandCa = pki.brandCa;
    const thumb = new Uint8Array(
      await globalThis.crypto.subtle.digest("SHA-256", new Uint8Array(pki.brandCa.certificate)),
    );
    const bci = await signBrandCRLIdentifier(
      defaultProvider,
      {
        version: 0,
        sequenceNum: 7,
        brandID: "Visa",
        notBefore: new Date("2026-01-01T00:00:00Z"),
        notAfter: new Date("2026-02-01T00:00:00Z"),
        idCRLs: [],
        brandCAThumb: thumb,
      },
      brandCa.privateKey,
    );
    for (const file of [write("b.der", bci), write("b.pem", toPem("SET BRAND CRL IDENTIFIER", bci))]) {
      const r = await run("show", file);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^BrandCRLIdentifier\n/);
      expect(r.stdout).toMatch(/brandID:\s+Visa/);
      expect(r.stdout).toMatch(/sequenceNum:\s+7/);
      expect(r.stdout).toMatch(/CRLs in force:\s+0/);
    }
  });

  it.each([
    [
      "a missing file",
      ["show", "/nonexistent/x.pem"],
      /^set-ca: cannot read \/nonexistent\/x\.pem: no such file/,
      1,
    ],
    ["no file", ["show"], /^set-ca: show: missing argument/, 2],
    ["two files", ["show", "a", "b"], /^set-ca: show: unexpected argument "b"/, 2],
    ["an unknown flag", ["show", "--frobnicate", "a"], /^set-ca: show: Unknown option '--frobnicate'/, 2],
    ["an unknown command", ["frobnicate"], /^set-ca: unknown command "frobnicate"/, 2],
    ["no command", [], /^set-ca: missing command/, 2],
  ])("refuses %s with one line", async (_name, argv, message, code) => {
    const r = await run(...argv);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it.each([
    ["garbage bytes", () => write("junk.der", Uint8Array.of(1, 2, 3)), /not a DER or PEM object/],
    ["a DER object of another kind", () => write("int.der", Uint8Array.of(2, 1, 5)), /neither a certificate/],
    [
      "an unknown PEM block",
      () => write("k.pem", toPem("RSA PRIVATE KEY", Uint8Array.of(1))),
      /unsupported PEM block "RSA PRIVATE KEY"/,
    ],
    ["broken PEM armour", () => write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n"), /PEM armour/],
    [
      "a certificate with its signature cut off",
      () => write("cut.der", pki.merchantSig.certificate.subarray(0, 300)),
      /not a DER or PEM object/,
    ],
  ])("fails on %s with exit 1 and one line", async (_name, file, message) => {
    const r = await run("show", file());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("refuses a certificate with an unknown critical extension, naming the SET error code", async () => {
    const bad = await createTestPki(defaultProvider, {
      overrides: {
        merchantSig: {
          extraExtensions: [{ oid: "1.3.6.1.4.1.32473.99", critical: true, value: Uint8Array.of(5, 0) }],
        },
      },
    });
    const r = await run("show", write("crit.pem", bad.merchantSig.certificatePem));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^set-ca: unrecognizedExtension: critical extension 1\.3\.6\.1\.4\.1\.32473\.99/,
    );
  });

  it("lists its commands on help", async () => {
    const r = await run("help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/set-ca show FILE/);
  });
});
