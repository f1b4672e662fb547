/**
 * The CA server over a real lab PKI directory: in-process over loopback, and once as the real
 * `set-ca serve` process (built by tsc) answering a real HTTP GET.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSetCertificate } from "@setlab/protocol";
import { freshTestKeyPair } from "@setlab/protocol/testing";
import type { LabPkiManifest } from "@setlab/runtime";
import { bufferIo } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import type { FastifyInstance } from "fastify";
import { main } from "../cli";
import { buildCaServer } from "../server";
import { pkiBackend } from "../server/pkiBackend";
import { readObject } from "./pem";
import { PkiDirectory } from "./pkiDirectory";

const repo = path.resolve(__dirname, "../../../..");
const cliJs = path.join(repo, "packages/ca/dist/cli.js");
let work: string;
let dir: string;
let manifest: LabPkiManifest;
let pki: PkiDirectory;
let app: FastifyInstance;
let base: string;
const token = "operator-token-for-the-test-0123456789";
const operator = { authorization: `Bearer ${token}` };

const derOf = (file: string) => readObject(new Uint8Array(fs.readFileSync(path.join(dir, file)))).der;

/** A key the CA has not certified: the run's next pooled pair (freshTestKeyPair). */
async function newSpki(): Promise<string> {
  const pair = await freshTestKeyPair("signature");
  return Buffer.from(await globalThis.crypto.subtle.exportKey("spki", pair.publicKey)).toString("base64");
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "set-ca-serve-"));
  dir = path.join(work, "pki");
  // A copy of the run's one `set-ca init` (pki.test.ts tests init itself).
  seedLabPki(dir);
  manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  pki = await PkiDirectory.open(dir, "setlab");
  app = buildCaServer(pkiBackend(pki), { operatorToken: token });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app.close();
  pki.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("CA server over a lab PKI", () => {
  it("serves every certificate init wrote by its thumb", async () => {
    for (const c of manifest.certificates.filter((x) => x.id === "root" || x.id.endsWith("/signature"))) {
      const r = await fetch(`${base}/certificates/${c.thumb}`);
      expect(r.status).toBe(200);
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(derOf(c.certificate));
    }
  });

  it("serves CRLs and BCIs by thumb", async () => {
    const crl = manifest.crls[0];
    const r = await fetch(`${base}/crls/${crl.thumb}`);
    expect(r.headers.get("content-type")).toBe("application/pkix-crl");
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(derOf(crl.file));
    const bci = manifest.bcis[1];
    const b = await fetch(`${base}/bcis/${bci.thumb}`);
    expect(b.status).toBe(200);
    expect(new Uint8Array(await b.arrayBuffer())).toEqual(derOf(bci.file));
    // A certificate's thumb names no CRL.
    expect((await fetch(`${base}/crls/${manifest.certificates[0].thumb}`)).status).toBe(404);
  });

  it("issues to the operator over HTTP, naming the merchant asked for, and refuses the same key twice (409)", async () => {
    const body = JSON.stringify({
      ca: "mastercard/mca",
      profile: "merchantSignature",
      commonName: "Web Shop",
      merID: "WEB-SHOP-1",
      merchantName: "Web Shop",
      spki: await newSpki(),
    });
    const post = () =>
      fetch(`${base}/certificates`, {
        method: "POST",
        headers: { "content-type": "application/json", ...operator },
        body,
      });
    const r = await post();
    expect(r.status).toBe(201);
    const der = new Uint8Array(await r.arrayBuffer());
    expect(parseSetCertificate(der).merchantData).toMatchObject({
      merID: "WEB-SHOP-1",
      merNameSeq: [{ name: "Web Shop" }],
    });
    const again = await fetch(`${base}${r.headers.get("location")}`);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(der);
    // The merID is now taken: the same request again is refused as an existing entity, and with the
    // operator's approval of a re-key, as the same key certified twice.
    const again409 = await post();
    expect(again409.status).toBe(409);
    expect((await again409.json()).message).toMatch(/^entityExists: merID WEB-SHOP-1/);
    const dup = await fetch(`${base}/certificates`, {
      method: "POST",
      headers: { "content-type": "application/json", ...operator },
      body: JSON.stringify({ ...JSON.parse(body), approveNewKey: true }),
    });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toEqual({
      code: "unspecifiedFailure",
      message: expect.stringMatching(/^duplicateKey: /),
    });
  });

  it("issues from a DER PKCS#10 request, taking the subject CN from it", async () => {
    const merchantQuery = "ca=visa/mca&profile=merchantKeyExchange&merID=CSR-SHOP-1&merchantName=Csr%20Shop";
    const key = path.join(work, "gw.key");
    execFileSync(
      "openssl",
      ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
      { stdio: "ignore" },
    );
    const csr = execFileSync("openssl", [
      "req",
      "-new",
      "-key",
      key,
      "-subj",
      "/CN=Csr Shop",
      "-outform",
      "DER",
    ]);
    const r = await fetch(`${base}/certificates?${merchantQuery}`, {
      method: "POST",
      headers: { "content-type": "application/pkcs10", ...operator },
      body: new Uint8Array(csr),
    });
    expect(r.status).toBe(201);
    const cert = parseSetCertificate(new Uint8Array(await r.arrayBuffer()));
    expect(cert.commonName).toBe("Csr Shop");
    expect(cert.keyUsage).toEqual(["keyEncipherment"]);
    const tampered = new Uint8Array(csr);
    tampered[tampered.length - 5] ^= 1;
    const bad = await fetch(
      `${base}/certificates?${merchantQuery.replace("CSR-SHOP-1", "CSR-SHOP-2").replace("Csr%20Shop", "Csr%20Two")}`,
      {
        method: "POST",
        headers: { "content-type": "application/pkcs10", ...operator },
        body: tampered,
      },
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe("signatureFailure");
  });

  it.each([
    [{ ca: "amex/mca", profile: "merchantSignature" }, /no CA "amex\/mca"/],
    [{ ca: "visa/mca", profile: "rootOfAllEvil" }, /unknown profile/],
    [{ ca: "visa/cca", profile: "cardholderSignature" }, /through card registration/],
    [{ ca: "visa/mca", profile: "gatewaySignature" }, /only with the offline set-ca CLI/],
    [{ ca: "visa/pca", profile: "gatewayKeyExchange" }, /only with the offline set-ca CLI/],
    [{ ca: "visa/bca", profile: "merchantCa" }, /only with the offline set-ca CLI|unknown profile/],
    [{ ca: "visa/mca", profile: "merchantSignature" }, /needs merID and merchantName/],
    [{ ca: "visa/mca", profile: "merchantSignature", merID: "bad id!", merchantName: "S" }, /merID must be/],
  ])("refuses %j with a typed JSON error", async (fields, message) => {
    const r = await fetch(`${base}/certificates`, {
      method: "POST",
      headers: { "content-type": "application/json", ...operator },
      body: JSON.stringify({ ...fields, commonName: "X", spki: await newSpki() }),
    });
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(typeof body.code).toBe("string");
    expect(body.message).toMatch(message);
  });
});

describe("who may have a certificate issued", () => {
  const request = async (headers: Record<string, string>, fields: Record<string, unknown> = {}) =>
    fetch(`${base}/certificates`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({
        ca: "visa/mca",
        profile: "merchantSignature",
        merID: "NEW-SHOP-9",
        merchantName: "New Shop",
        spki: await newSpki(),
        ...fields,
      }),
    });

  it.each([
    ["no credential", {}],
    ["a wrong token", { authorization: "Bearer not-the-operator-token-0123456789" }],
    ["the token in another scheme", { authorization: `Basic ${token}` }],
  ])("refuses %s with 401 and issues nothing", async (_what, headers) => {
    const before = (await pki.store.listIssued(pki.ca("visa/mca").id)).length;
    const r = await request(headers);
    expect(r.status).toBe(401);
    expect((await r.json()).message).toMatch(/operator's token/);
    expect((await pki.store.listIssued(pki.ca("visa/mca").id)).length).toBe(before);
  });

  it("refuses the lab shop's merID or name for a new key unless the operator approves a re-key", async () => {
    for (const fields of [
      { merID: "SETLAB-MER-0001", merchantName: "Someone Else" },
      { merID: "OTHER-1", merchantName: "set lab shop" },
    ]) {
      const r = await request(operator, fields);
      expect(r.status).toBe(409);
      expect((await r.json()).message).toMatch(/^entityExists: merID SETLAB-MER-0001/);
    }
    const rekey = await request(operator, {
      merID: "SETLAB-MER-0001",
      merchantName: "SET Lab Shop",
      approveNewKey: true,
    });
    expect(rekey.status === 201 ? "issued" : await rekey.text()).toBe("issued");
  });

  it("does not let a network client mint a gateway or CA certificate, even with the token", async () => {
    const r = await request(operator, { ca: "visa/pca", profile: "gatewaySignature" });
    expect(r.status).toBe(400);
    expect((await r.json()).message).toMatch(/offline set-ca CLI/);
  });
});

describe("set-ca serve in-process", () => {
  it("fails with one line when the port is taken", async () => {
    const io = bufferIo();
    const port = new URL(base).port;
    expect(await main(["serve", "--dir", dir, "--port", port], io)).toBe(1);
    expect(io.stderr).toBe(`set-ca: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
  });
});

describe("the real set-ca process", () => {
  let child: ChildProcess | undefined;
  beforeAll(() => {
    execFileSync("npx", ["tsc", "-b", "packages/ca"], { cwd: repo, stdio: "ignore" });
  });
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  it("serve answers a real HTTP GET for the root certificate", async () => {
    child = spawn(process.execPath, [cliJs, "serve", "--dir", dir, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const address = await new Promise<string>((resolve, reject) => {
      let out = "";
      child!.stdout!.on("data", (d) => {
        out += d;
        const m = /on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child!.on("exit", (code) => reject(new Error(`serve exited ${code}`)));
    });
    const root = manifest.certificates.find((c) => c.id === "root")!;
    const r = await fetch(`${address}/certificates/${root.thumb}`);
    expect(r.status).toBe(200);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(derOf("root.pem"));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    child = undefined;
  });

  it.each([
    [["show"], 2, /^set-ca: show: missing argument\n$/],
    [
      ["show", "/nonexistent.pem"],
      1,
      /^set-ca: cannot read \/nonexistent\.pem: no such file or directory\n$/,
    ],
    [["init", "--bogus"], 2, /^set-ca: init: Unknown option '--bogus'/],
  ])("%j exits %i with one line and no stack trace", (argv, code, message) => {
    const r = spawnSync(process.execPath, [cliJs, ...argv], { encoding: "utf8" });
    expect(r.status).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("show prints a certificate from a real process", () => {
    const r = spawnSync(process.execPath, [cliJs, "show", path.join(dir, "visa/gateway/key-exchange.pem")], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/certificateType \(critical\): +pgwy \(payment gateway\)/);
    expect(r.stdout).toMatch(/keyUsage \(critical\): +keyEncipherment/);
    expect(r.stdout).toMatch(/tunneling: +true/);
  });
});
