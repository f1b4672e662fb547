/**
 * `set-ca init` and the commands on its directory, in-process through `main`, judged by OpenSSL:
 * every certificate verifies to the root, every CRL verifies with its CA's key.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../cli";
import { testCards } from "../testCards";
import { bufferIo } from "./io";
import type { Manifest } from "./manifest";

let dir: string;
let manifest: Manifest;
let work: string;

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, ...io };
}

const openssl = (...args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "set-ca-pki-"));
  dir = path.join(work, "pki");
  const r = await run("init", "--out", dir);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("set-ca init", () => {
  it("writes the whole lab PKI: root, 4 CAs per brand, merchant and gateway pairs, a card per test card", () => {
    const ids = manifest.certificates.map((c) => c.id);
    expect(ids).toContain("root");
    for (const b of ["visa", "mastercard"]) {
      for (const ca of ["bca", "cca", "mca", "pca"]) expect(ids).toContain(`${b}/${ca}`);
      for (const p of ["merchant", "gateway"])
        for (const use of ["signature", "key-exchange"]) expect(ids).toContain(`${b}/${p}/${use}`);
    }
    for (const c of testCards) expect(ids).toContain(`${c.brand.toLowerCase()}/cards/${c.id}`);
    expect(manifest.certificates).toHaveLength(1 + 2 * (4 + 4) + testCards.length);
    expect(manifest.crls).toHaveLength(9);
    expect(manifest.bcis.map((b) => b.brand)).toEqual(["Visa", "MasterCard"]);
    expect(fs.existsSync(path.join(dir, "ca.sqlite"))).toBe(true);
  });

  it("lists each certificate with role, brand and a chain from the leaf to the root", () => {
    const mer = manifest.certificates.find((c) => c.id === "visa/merchant/key-exchange")!;
    expect(mer).toMatchObject({
      role: "mer",
      brand: "Visa",
      profile: "merchantKeyExchange",
      issuer: "visa/mca",
    });
    expect(mer.chain).toEqual(["visa/merchant/key-exchange.pem", "visa/mca.pem", "visa/bca.pem", "root.pem"]);
    const card = manifest.certificates.find((c) => c.id === "mastercard/cards/mc-approve")!;
    expect(card).toMatchObject({ role: "card", brand: "MasterCard" });
    expect(manifest.certificates.find((c) => c.id === "root")?.chain).toEqual(["root.pem"]);
  });

  it("OpenSSL verifies every certificate to the root", () => {
    const failures: string[] = [];
    for (const c of manifest.certificates) {
      const untrusted = c.chain.slice(1, -1).map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
      const args = ["verify", "-ignore_critical", "-CAfile", path.join(dir, "root.pem")];
      if (untrusted.length) {
        const file = path.join(work, "untrusted.pem");
        fs.writeFileSync(file, untrusted.join(""));
        args.push("-untrusted", file);
      }
      const r = openssl(...args, path.join(dir, c.certificate));
      if (r.status !== 0 || !r.stdout.includes(": OK")) failures.push(`${c.id}: ${r.stdout}${r.stderr}`);
    }
    expect(failures).toEqual([]);
  });

  it("OpenSSL refuses a leaf against the other brand's chain (the verification can fail)", () => {
    const r = openssl(
      "verify",
      "-ignore_critical",
      "-CAfile",
      path.join(dir, "root.pem"),
      "-untrusted",
      path.join(dir, "mastercard/mca.pem"),
      path.join(dir, "visa/merchant/signature.pem"),
    );
    expect(r.status).not.toBe(0);
  });

  it("OpenSSL verifies every CRL with its CA's certificate", () => {
    for (const c of manifest.crls) {
      const ca = manifest.certificates.find((x) => x.id === c.ca)!;
      const r = openssl(
        "crl",
        "-in",
        path.join(dir, c.file),
        "-CAfile",
        path.join(dir, ca.certificate),
        "-verify",
        "-noout",
      );
      expect(`${c.file}: ${r.stderr.trim()}`).toBe(`${c.file}: verify OK`);
      const wrong = openssl(
        "crl",
        "-in",
        path.join(dir, c.file),
        "-CAfile",
        path.join(dir, "root.pem"),
        "-verify",
        "-noout",
      );
      if (c.ca !== "root") expect(wrong.stderr).not.toMatch(/verify OK/);
    }
  });

  it("encrypts every private key under the passphrase, and OpenSSL opens it only with that passphrase", () => {
    for (const c of manifest.certificates)
      expect(fs.readFileSync(path.join(dir, c.key), "utf8")).toMatch(
        /^-----BEGIN ENCRYPTED PRIVATE KEY-----/,
      );
    const key = path.join(dir, "visa/merchant/signature.key.pem");
    const ok = openssl("pkey", "-in", key, "-passin", "pass:setlab", "-pubout");
    expect(ok.status).toBe(0);
    const cert = openssl("x509", "-in", path.join(dir, "visa/merchant/signature.pem"), "-pubkey", "-noout");
    expect(ok.stdout).toBe(cert.stdout);
    expect(openssl("pkey", "-in", key, "-passin", "pass:wrong", "-noout").status).not.toBe(0);
  });

  it("never writes a PAN into a cardholder certificate; the account data stays in cards.json", () => {
    const cards = JSON.parse(fs.readFileSync(path.join(dir, "cards.json"), "utf8"));
    for (const card of testCards) {
      const der = execFileSync("openssl", [
        "x509",
        "-in",
        path.join(dir, `${card.brand.toLowerCase()}/cards/${card.id}.pem`),
        "-outform",
        "DER",
      ]);
      expect(der.includes(Buffer.from(card.pan))).toBe(false);
      expect(cards[card.id]).toMatchObject({ pan: card.pan, expiry: card.expiry });
      expect(cards[card.id].panSecret).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it("refuses to write into a non-empty directory, and needs --out", async () => {
    const again = await run("init", "--out", dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^set-ca: .* is not empty \(a PKI is already there\)\n$/);
    const noOut = await run("init");
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toBe("set-ca: init: --out is required\n");
  });
});

describe("set-ca issue, revoke, crl, bci", () => {
  let spki: string;
  beforeAll(() => {
    const key = path.join(work, "k.pem");
    execFileSync(
      "openssl",
      ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
      { stdio: "ignore" },
    );
    spki = path.join(work, "spki.pem");
    execFileSync("openssl", ["pkey", "-in", key, "-pubout", "-out", spki]);
    execFileSync("openssl", [
      "req",
      "-new",
      "-key",
      key,
      "-subj",
      "/CN=Req Gateway",
      "-out",
      path.join(work, "req.pem"),
    ]);
  });

  it("issues from an SPKI, refuses the same key again, and the certificate verifies in OpenSSL", async () => {
    const out = path.join(work, "shop2.pem");
    const r = await run(
      "issue",
      "--dir",
      dir,
      "--ca",
      "visa/mca",
      "--profile",
      "merchantSignature",
      "--spki",
      spki,
      "--cn",
      "Shop Two",
      "--out",
      out,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^set-ca: issued serial [0-9a-f]+ thumb [0-9a-f]{64} to /);
    fs.writeFileSync(
      path.join(work, "u.pem"),
      fs.readFileSync(path.join(dir, "visa/mca.pem"), "utf8") +
        fs.readFileSync(path.join(dir, "visa/bca.pem"), "utf8"),
    );
    const v = openssl(
      "verify",
      "-ignore_critical",
      "-CAfile",
      path.join(dir, "root.pem"),
      "-untrusted",
      path.join(work, "u.pem"),
      out,
    );
    expect(v.stdout).toMatch(/: OK/);
    const show = await run("show", out);
    expect(show.stdout).toMatch(/CN=Shop Two/);
    expect(show.stdout).toMatch(/merchantData: +merID SETLAB-MER-0001, acquirer BIN 411111/);

    const dup = await run(
      "issue",
      "--dir",
      dir,
      "--ca",
      "visa/mca",
      "--profile",
      "merchantSignature",
      "--spki",
      spki,
      "--cn",
      "Shop Two",
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^set-ca: \w+: duplicateKey: /);
  });

  it("issues from a PKCS#10 request to stdout", async () => {
    const r = await run(
      "issue",
      "--dir",
      dir,
      "--ca",
      "mastercard/pca",
      "--profile",
      "gatewaySignature",
      "--csr",
      path.join(work, "req.pem"),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const file = path.join(work, "gw2.pem");
    fs.writeFileSync(file, r.stdout);
    const show = await run("show", file);
    expect(show.stdout).toMatch(/subject: +C=US, O=MasterCard, OU=pgwy, CN=Req Gateway/);
    expect(show.stdout).toMatch(/certificateType \(critical\): +pgwy/);
  });

  it("issues a cardholder certificate from account data, without the PAN in it", async () => {
    const out = path.join(work, "card.pem");
    const pan = "4111110000000062";
    const r = await run(
      "issue",
      "--dir",
      dir,
      "--ca",
      "visa/cca",
      "--profile",
      "cardholderSignature",
      "--spki",
      spki,
      "--pan",
      pan,
      "--expiry",
      "202812",
      "--pan-secret",
      "07".repeat(20),
      "--out",
      out,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const der = execFileSync("openssl", ["x509", "-in", out, "-outform", "DER"]);
    expect(der.includes(Buffer.from(pan))).toBe(false);
    const show = await run("show", out);
    expect(show.stdout).toMatch(/certificateType \(critical\): +card \(cardholder\)/);
    expect(show.stdout).toMatch(/validity: +\S+ \.\. (2028-12|2029-01-01)/);
  });

  it("revokes by serial, publishes a CRL that lists it, and a BCI that names that CRL", async () => {
    const mer = manifest.certificates.find((c) => c.id === "visa/merchant/signature")!;
    const r = await run("revoke", "--dir", dir, "--serial", mer.serial, "--reason", "keyCompromise");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/revoked .* \(keyCompromise\) at visa\/mca/);
    const again = await run("revoke", "--dir", dir, "--serial", mer.serial);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^set-ca: revokedCertificate: alreadyRevoked/);

    const c = await run("crl", "--dir", dir, "--ca", "visa/mca");
    expect(c.code).toBe(0);
    const file = /written to (\S+)/.exec(c.stdout)![1];
    const text = openssl(
      "crl",
      "-in",
      path.join(dir, file),
      "-CAfile",
      path.join(dir, "visa/mca.pem"),
      "-verify",
      "-noout",
      "-text",
    );
    expect(text.stderr).toMatch(/verify OK/);
    expect(text.stdout.replace(/[:\s]/g, "").toLowerCase()).toContain(mer.serial);
    expect(text.stdout).toMatch(/Key Compromise/);
    const shown = await run("show", path.join(dir, file));
    expect(shown.stdout).toMatch(/^X\.509 CRL\n/);
    expect(shown.stdout).toMatch(/cRLNumber: +2/);
    expect(shown.stdout).toMatch(new RegExp(`${mer.serial}: \\S+ keyCompromise`));

    const b = await run("bci", "--dir", dir, "--brand", "Visa");
    expect(b.code).toBe(0);
    const bciFile = /written to (\S+)/.exec(b.stdout)![1];
    const show = await run("show", path.join(dir, bciFile));
    expect(show.stdout).toMatch(/sequenceNum: +2/);
    const crlThumb = /thumb ([0-9a-f]{64})/.exec(c.stdout)![1];
    expect(show.stdout).toContain(`#2 C=US, O=Visa, OU=mca, CN=Visa Merchant CA: thumb ${crlThumb}`);
  });

  it.each([
    [
      ["issue", "--dir", "DIR", "--ca", "visa/mca", "--profile", "nonsense", "--spki", "x"],
      2,
      /unknown profile "nonsense"/,
    ],
    [
      ["issue", "--dir", "DIR", "--ca", "visa/mca", "--profile", "merchantSignature"],
      2,
      /exactly one of --spki and --csr/,
    ],
    [
      ["issue", "--dir", "DIR", "--ca", "visa/cca", "--profile", "cardholderSignature", "--spki", "x"],
      2,
      /needs --pan/,
    ],
    [["revoke", "--dir", "DIR", "--serial", "xyz"], 2, /--serial must be hex/],
    [["revoke", "--dir", "DIR", "--serial", "01", "--reason", "boredom"], 2, /unknown reason "boredom"/],
    [["revoke", "--dir", "DIR", "--serial", "01"], 1, /no certificate with serial 01/],
    [["crl", "--dir", "DIR", "--ca", "nope"], 1, /no CA "nope"/],
    [["bci", "--dir", "DIR", "--brand", "Amex"], 1, /no brand "Amex"/],
    [
      ["crl", "--dir", "DIR", "--ca", "visa/mca", "--passphrase", "wrong"],
      1,
      /cannot decrypt root\.key\.pem: wrong passphrase/,
    ],
    [["crl", "--dir", "/nonexistent", "--ca", "root"], 1, /\/nonexistent is not a set-ca directory/],
    [["bci", "--dir", "DIR"], 2, /^set-ca: bci: --brand is required/],
    [["serve", "--dir", "DIR", "--port", "70000"], 2, /--port must be an integer from 0 to 65535/],
  ])("%j exits %i with one line", async (argv, code, message) => {
    const r = await run(...argv.map((a) => (a === "DIR" ? dir : a)));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.code).toBe(code);
  });
});
