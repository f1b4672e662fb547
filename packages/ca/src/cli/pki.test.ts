/**
 * `set-ca init` and the commands on its directory, in-process through `main`, judged by OpenSSL:
 * every certificate verifies to the root, every CRL verifies with its CA's key.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  hashedAccountId,
  nodeProvider,
  parseSetCertificate,
  type SetCertificate,
  SetError,
  validateChain,
} from "@setlab/protocol";
import type { LabPkiEntry, LabPkiManifest } from "@setlab/runtime";
import { bufferIo } from "@setlab/runtime";
import { main } from "../cli";
import { testCards } from "../testCards";
import { attackEndEntities } from "./attackFixtures";

let dir: string;
let manifest: LabPkiManifest;
let work: string;

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, ...io };
}

const openssl = (...args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });

/** `openssl verify` of a manifest certificate to the last certificate of its chain, with extra arguments. */
function opensslVerify(c: LabPkiEntry, ...extra: string[]) {
  const untrusted = c.chain.slice(1, -1).map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  const args = [
    "verify",
    "-ignore_critical",
    ...extra,
    "-CAfile",
    path.join(dir, c.chain[c.chain.length - 1]),
  ];
  if (untrusted.length) {
    const file = path.join(work, "untrusted.pem");
    fs.writeFileSync(file, untrusted.join(""));
    args.push("-untrusted", file);
  }
  return openssl(...args, path.join(dir, c.certificate));
}

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
    // Plus the attack fixtures: the foreign root and its 4 Visa CAs, and the table's end entities.
    expect(manifest.certificates).toHaveLength(
      1 + 2 * (4 + 4) + testCards.length + 5 + attackEndEntities.length,
    );
    expect(manifest.crls).toHaveLength(9 + 5);
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

  it("OpenSSL verifies every certificate to its root, except the expired and not yet valid fixtures", () => {
    const failures: string[] = [];
    for (const c of manifest.certificates) {
      const r = opensslVerify(c);
      const expected = /-expired\//.test(c.id)
        ? "certificate has expired"
        : /-future\//.test(c.id)
          ? "certificate is not yet valid"
          : ": OK";
      if (!`${r.stdout}${r.stderr}`.includes(expected) || (expected === ": OK") !== (r.status === 0))
        failures.push(`${c.id}: ${r.stdout}${r.stderr}`);
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

describe("set-ca init: the attack fixtures", () => {
  const provider = nodeProvider();
  const DAY = 86400_000;
  const entry = (id: string) => {
    const e = manifest.certificates.find((c) => c.id === id);
    if (!e) throw new Error(`no ${id} in the manifest`);
    return e;
  };
  const der = (file: string) => {
    const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/.exec(
      fs.readFileSync(path.join(dir, file), "utf8"),
    );
    return new Uint8Array(Buffer.from(m?.[1] ?? "", "base64"));
  };
  const cert = (id: string) => parseSetCertificate(der(entry(id).certificate));
  const revokedIds = [
    "attack/visa/merchant-revoked/signature",
    "attack/visa/gateway-revoked/key-exchange",
    "attack/visa/cardholder-revoked/signature",
  ];
  /** validateChain to `rootId`, checking revocation against the current Visa BCI and every CRL of the PKI. */
  const validate = async (id: string, rootId = "root", at = new Date()) => {
    const e = entry(id);
    const bci = manifest.bcis.filter((b) => b.brand === "Visa").at(-1);
    const bciDer = new Uint8Array(
      Buffer.from(
        fs
          .readFileSync(path.join(dir, bci?.file ?? ""), "utf8")
          .replace(/-----[A-Z ]+-----/g, "")
          .replace(/\s+/g, ""),
        "base64",
      ),
    );
    const crls = manifest.crls.map(
      (c) =>
        new Uint8Array(
          Buffer.from(
            fs
              .readFileSync(path.join(dir, c.file), "utf8")
              .replace(/-----[A-Z0-9 ]+-----/g, "")
              .replace(/\s+/g, ""),
            "base64",
          ),
        ),
    );
    return validateChain(provider, der(e.certificate), e.chain.slice(1, -1).map(der), cert(rootId), at, {
      revocation: { bci: { der: bciDer, brandCa: cert("visa/bca") }, crls },
    });
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e) => (e instanceof SetError ? e.code : `not a SetError: ${e}`),
    );

  it("lists every fixture of the contract with its role, brand, merID and issuer", () => {
    const expected: Record<string, { role: string; issuer: string; merID?: string; name?: string }> = {
      "attack/visa/merchant-b/signature": {
        role: "mer",
        issuer: "visa/mca",
        merID: "SETLAB-MER-0002",
        name: "SET Lab Other Shop",
      },
      "attack/visa/merchant-b/key-exchange": {
        role: "mer",
        issuer: "visa/mca",
        merID: "SETLAB-MER-0002",
        name: "SET Lab Other Shop",
      },
      "attack/visa/accomplice-gateway/signature": { role: "pgwy", issuer: "visa/pca" },
      "attack/visa/accomplice-gateway/key-exchange": { role: "pgwy", issuer: "visa/pca" },
      "attack/visa/merchant-expired/signature": { role: "mer", issuer: "visa/mca", merID: "SETLAB-MER-0001" },
      "attack/visa/merchant-future/signature": { role: "mer", issuer: "visa/mca", merID: "SETLAB-MER-0001" },
      "attack/visa/merchant-revoked/signature": { role: "mer", issuer: "visa/mca", merID: "SETLAB-MER-0001" },
      "attack/visa/gateway-expired/key-exchange": { role: "pgwy", issuer: "visa/pca" },
      "attack/visa/gateway-future/key-exchange": { role: "pgwy", issuer: "visa/pca" },
      "attack/visa/gateway-revoked/key-exchange": { role: "pgwy", issuer: "visa/pca" },
      "attack/visa/cardholder-revoked/signature": { role: "card", issuer: "visa/cca" },
      "attack/foreign/root": { role: "rca", issuer: "attack/foreign/root" },
      "attack/foreign/visa/bca": { role: "bca", issuer: "attack/foreign/root" },
      "attack/foreign/visa/mca": { role: "mca", issuer: "attack/foreign/visa/bca" },
      "attack/foreign/visa/pca": { role: "pca", issuer: "attack/foreign/visa/bca" },
      "attack/foreign/visa/merchant/signature": {
        role: "mer",
        issuer: "attack/foreign/visa/mca",
        merID: "SETLAB-MER-0001",
      },
      "attack/foreign/visa/gateway/key-exchange": { role: "pgwy", issuer: "attack/foreign/visa/pca" },
    };
    for (const [id, want] of Object.entries(expected)) {
      const e = entry(id);
      expect({ id, role: e.role, issuer: e.issuer, brand: e.brand }).toEqual({
        id,
        role: want.role,
        issuer: want.issuer,
        brand: want.role === "rca" ? undefined : "Visa",
      });
      const c = cert(id);
      expect(c.merchantData?.merID).toBe(want.merID);
      if (want.name) expect(c.merchantData?.merNameSeq[0].name).toBe(want.name);
      const use = id.endsWith("key-exchange")
        ? "keyEncipherment"
        : id.endsWith("signature")
          ? "digitalSignature"
          : "keyCertSign";
      expect(c.keyUsage).toContain(use);
      expect(fs.readFileSync(path.join(dir, e.key), "utf8")).toMatch(
        /^-----BEGIN ENCRYPTED PRIVATE KEY-----/,
      );
    }
    expect(cert("attack/visa/accomplice-gateway/signature").subject).toContain("CN=Visa Accomplice Gateway");
    // The foreign hierarchy is a separate root: self-signed, and its chain never reaches the lab's root.
    expect(entry("attack/foreign/visa/merchant/signature").chain).toEqual([
      "attack/foreign/visa/merchant/signature.pem",
      "attack/foreign/visa/mca.pem",
      "attack/foreign/visa/bca.pem",
      "attack/foreign/root.pem",
    ]);
    expect(cert("attack/foreign/root").selfIssued).toBe(true);
    expect(cert("attack/foreign/root").spki).not.toEqual(cert("root").spki);
  });

  it("issues the expired ones expired since yesterday and the future ones valid from 30 days ahead", () => {
    const now = Date.now();
    for (const id of ["attack/visa/merchant-expired/signature", "attack/visa/gateway-expired/key-exchange"]) {
      const c = cert(id);
      expect(c.notAfter.getTime()).toBeLessThan(now - DAY + 60_000);
      expect(c.notAfter.getTime()).toBeGreaterThan(now - 2 * DAY);
      expect(entry(id).notAfter).toBe(c.notAfter.toISOString());
    }
    for (const id of ["attack/visa/merchant-future/signature", "attack/visa/gateway-future/key-exchange"]) {
      const c = cert(id);
      expect(c.notBefore.getTime()).toBeGreaterThan(now + 29 * DAY);
      expect(c.notAfter.getTime()).toBeGreaterThan(c.notBefore.getTime());
      expect(entry(id).notBefore).toBe(c.notBefore.toISOString());
    }
    const valid = attackEndEntities.filter((f) => !f.validity).map((f) => cert(f.id));
    for (const c of valid) expect(c.notBefore.getTime() <= now && now < c.notAfter.getTime()).toBe(true);
  });

  it("SET path validation: the revoked ones are revokedCertificate under the current Visa BCI, the others pass or fail for their own reason", async () => {
    for (const id of revokedIds) expect(await refusal(validate(id))).toBe("revokedCertificate");
    for (const id of [
      "attack/visa/merchant-b/signature",
      "attack/visa/merchant-b/key-exchange",
      "attack/visa/accomplice-gateway/signature",
      "attack/visa/accomplice-gateway/key-exchange",
      "visa/merchant/signature",
      "visa/cards/visa-approve",
    ])
      expect(await refusal(validate(id))).toBe("accepted");
    expect(await refusal(validate("attack/visa/merchant-expired/signature"))).toBe("expiredCertificate");
    expect(await refusal(validate("attack/visa/gateway-future/key-exchange"))).toBe("invalidCertificate");
    // The foreign chain does not reach the lab's root; under its own root it is a whole hierarchy.
    expect(await refusal(validate("attack/foreign/visa/merchant/signature"))).toBe("invalidCertificate");
    const foreign = entry("attack/foreign/visa/gateway/key-exchange");
    await expect(
      validateChain(
        provider,
        der(foreign.certificate),
        foreign.chain.slice(1, -1).map(der),
        cert("attack/foreign/root"),
        new Date(),
      ),
    ).resolves.toBeDefined();
  });

  it("OpenSSL -crl_check agrees: the revoked ones are on their CA's CRL, the valid ones under the same CA are not", () => {
    const crlFile = (ca: string) => {
      const c = manifest.crls.filter((x) => x.ca === ca).at(-1);
      return path.join(dir, c?.file ?? "");
    };
    const check = (id: string) => {
      const e = entry(id);
      return opensslVerify(e, "-crl_check", "-CRLfile", crlFile(e.issuer));
    };
    for (const id of revokedIds) {
      const r = check(id);
      expect(`${id}: ${r.stdout}${r.stderr}`).toContain("certificate revoked");
      expect(r.status).not.toBe(0);
    }
    for (const id of [
      "attack/visa/merchant-b/signature",
      "visa/gateway/key-exchange",
      "visa/cards/visa-approve",
    ]) {
      const r = check(id);
      expect(`${id}: ${r.stdout}`).toContain(": OK");
      expect(r.status).toBe(0);
    }
  });

  it("the current Visa BCI names the CRLs that list the revoked fixtures", () => {
    const bci = manifest.bcis.filter((b) => b.brand === "Visa").at(-1);
    const crlText = (ca: string) => {
      const c = manifest.crls.filter((x) => x.ca === ca).at(-1);
      return {
        thumb: c?.thumb,
        text: openssl("crl", "-in", path.join(dir, c?.file ?? ""), "-noout", "-text").stdout,
      };
    };
    const shown = openssl(
      "asn1parse",
      "-in",
      path.join(dir, bci?.file ?? ""),
      "-inform",
      "PEM",
    ).stdout.toLowerCase();
    for (const id of revokedIds) {
      const { thumb, text } = crlText(entry(id).issuer);
      expect(text.toUpperCase()).toContain(cert(id).serialNumber.toUpperCase());
      expect(shown).toContain(thumb?.toLowerCase());
    }
  });

  it("attack/cards.json holds the revoked cardholder's account, and its certificate commits to it", async () => {
    const cards = JSON.parse(fs.readFileSync(path.join(dir, "attack/cards.json"), "utf8"));
    expect(Object.keys(cards)).toEqual(["visa-revoked"]);
    const card = cards["visa-revoked"];
    expect(card).toMatchObject({ brand: "Visa", expiry: "203012", outcome: "approve" });
    expect(card.pan).toMatch(/^411111\d{10}$/);
    expect(card.panSecret).toMatch(/^[0-9a-f]{40}$/);
    expect((fs.statSync(path.join(dir, "attack/cards.json")).mode & 0o777).toString(8)).toBe("600");
    const cn = await hashedAccountId(provider, card.pan, card.expiry, Buffer.from(card.panSecret, "hex"));
    const c: SetCertificate = cert("attack/visa/cardholder-revoked/signature");
    expect(c.subject).toContain(`CN=${cn}`);
    expect(Buffer.from(c.der).includes(Buffer.from(card.pan))).toBe(false);
    expect(manifest.attackCards).toBe("attack/cards.json");
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
    [["crl", "--dir", "/nonexistent", "--ca", "root"], 1, /\/nonexistent is not a lab PKI directory/],
    [["bci", "--dir", "DIR"], 2, /^set-ca: bci: --brand is required/],
    [["serve", "--dir", "DIR", "--port", "70000"], 2, /--port must be an integer from 0 to 65535/],
  ])("%j exits %i with one line", async (argv, code, message) => {
    const r = await run(...argv.map((a) => (a === "DIR" ? dir : a)));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.code).toBe(code);
  });
});
