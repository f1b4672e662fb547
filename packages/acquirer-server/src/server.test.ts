/** The gateway as a real process: `node dist/cli.js serve`, over HTTP on a loopback port. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import {
  adminHeaders,
  LabPki,
  postSet,
  RUN_ID_HEADER,
  SET_PAYMENT,
  type StartedParty,
  startParty,
  writeAdminTokenFile,
} from "@setlab/runtime";
import { AuthReqBuilder } from "./testing/authReqBuilder";
import { makeLabPkiDir } from "./testing/labPkiDir";

const cli = path.resolve(__dirname, "../dist/cli.js");
const p = nodeProvider();
let tmp: ReturnType<typeof makeLabPkiDir>;
let party: StartedParty;
let b: AuthReqBuilder;
let tokenFile: string;
let token: string;
/** The admin listener's base URL and a GET there with the token. */
let adminUrl: string;
const admin = (route: string) => fetch(`${adminUrl}${route}`, { headers: adminHeaders(token) });

beforeAll(async () => {
  tmp = makeLabPkiDir();
  b = new AuthReqBuilder(p, LabPki.open(tmp.pkiDir));
  tokenFile = path.join(tmp.dir, "admin-token");
  token = writeAdminTokenFile(tokenFile);
  party = await startParty(
    cli,
    [
      "serve",
      "--pki",
      tmp.pkiDir,
      "--db",
      path.join(tmp.dir, "gateway.sqlite"),
      "--port",
      "0",
      "--admin-port",
      "0",
      "--admin-token-file",
      tokenFile,
    ],
    {
      env: { ...process.env, SETLAB_LOG_LEVEL: "info" },
    },
  );
  adminUrl = party.adminUrl ?? "";
});
afterAll(async () => {
  await party?.stop();
  tmp.cleanup();
});

const post = (body: Uint8Array | string, type = SET_PAYMENT) =>
  fetch(`${party.url}/set`, { method: "POST", headers: { "content-type": type }, body: Buffer.from(body) });

describe("set-gateway serve", () => {
  it("announces itself on loopback and answers /health", async () => {
    expect(party.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${party.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("authorizes an AuthReq over HTTP, and the admin routes show the authorization and the hold", async () => {
    const req = await b.build({ amount: 4321 });
    const answer = await postSet(`${party.url}/set`, req.bytes, { runId: "run-42" });
    const r = await b.read(answer);
    expect(r.type === "authRes" && r.data.authResPayload.authHeader.authCode).toBe("approved");

    const xid = Buffer.from(req.parts.transIDs.xid).toString("hex");
    const list = (await (await admin(`/admin/authorizations?xid=${xid.toUpperCase()}`)).json()) as Record<
      string,
      unknown
    >[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      xid,
      authRRPID: Buffer.from(req.parts.authRRPID).toString("hex"),
      merchantID: "SETLAB-MER-0001",
      amount: 4321,
      authCode: "approved",
      held: 4321,
    });
    const account = (await (await admin("/admin/accounts/visa-approve")).json()) as Record<string, unknown>;
    expect(account).toMatchObject({ cardId: "visa-approve", pan: "411111******0005", held: 4321 });
    expect(account.balance).toBe((account.creditLimit as number) - 4321);

    // The log names the XID and the run id, never the PAN.
    const logs = party.stderr();
    const line = logs.split("\n").find((l) => l.includes(xid));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ runId: "run-42", authCode: "approved", kind: "authRes" });
    expect(logs).not.toContain(b.card("visa-approve").pan);
  });

  it("answers garbage with a SET Error (HTTP 200)", async () => {
    const res = await post("definitely not a MessageWrapper");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain(SET_PAYMENT);
    const r = await b.read(new Uint8Array(await res.arrayBuffer()));
    expect(r).toEqual({ type: "error", code: "decodingFailure" });
  });

  it("refuses another content type with 415 and a body over 256 KiB with 413", async () => {
    expect((await post("{}", "application/json")).status).toBe(415);
    expect((await post(new Uint8Array(256 * 1024 + 1))).status).toBe(413);
  });

  it("admin routes: a bad XID is 400, an unknown account 404, an unknown XID an empty list", async () => {
    expect((await admin("/admin/authorizations?xid=zz")).status).toBe(400);
    expect((await admin("/admin/authorizations")).status).toBe(400);
    expect((await admin("/admin/accounts/no-such-card")).status).toBe(404);
    const none = await admin(`/admin/authorizations?xid=${"00".repeat(20)}`);
    expect(await none.json()).toEqual([]);
  });

  it("serves the admin routes on their own loopback listener, not on the payment one", async () => {
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(adminUrl).not.toBe(party.url);
    for (const route of [`/admin/authorizations?xid=${"00".repeat(20)}`, "/admin/accounts/visa-approve"]) {
      expect((await fetch(`${party.url}${route}`, { headers: adminHeaders(token) })).status).toBe(404);
      expect((await admin(route)).status).toBe(200);
    }
    // The admin listener serves nothing of the payment side.
    expect((await fetch(`${adminUrl}/set`, { method: "POST", headers: adminHeaders(token) })).status).toBe(
      404,
    );
  });

  it("the admin listener refuses a request without the token, or with a wrong one, with 401", async () => {
    const route = `${adminUrl}/admin/accounts/visa-approve`;
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const headers of [
      {},
      { authorization: token },
      { authorization: "Bearer " },
      adminHeaders(wrong),
      adminHeaders(`${token}x`),
      adminHeaders(token.slice(1)),
      { authorization: `Basic ${Buffer.from(`admin:${token}`).toString("base64")}` },
    ]) {
      const res = await fetch(route, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.text()).not.toContain("visa-approve");
    }
    // Unknown routes are refused before routing: nobody learns which routes exist.
    expect((await fetch(`${adminUrl}/admin/nothing`)).status).toBe(401);
  });

  it("keeps the run id header out of the log when it is not a plain token", async () => {
    await fetch(`${party.url}/set`, {
      method: "POST",
      headers: { "content-type": SET_PAYMENT, [RUN_ID_HEADER]: "bad id with spaces" },
      body: "x",
    });
    expect(party.stderr()).not.toContain("bad id with spaces");
  });
});

describe("set-gateway arguments", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

  it.each([
    [[]],
    [["serve"]],
    [["serve", "--pki", "x"]],
    [["serve", "--pki", "x", "--db", "y", "--port", "99999"]],
    [["serve", "--pki", "x", "--db", "y", "--bogus", "1"]],
    [["serve", "--pki", "x", "--db", "y", "--require-hardened", "Visa,,MasterCard"]],
    [["serve", "--pki", "x", "--db", "y", "--admin-port", "0"]],
    [["serve", "--pki", "x", "--db", "y", "--admin-port", "70000", "--admin-token-file", "t"]],
    [["serve", "--pki", "x", "--db", "y", "--admin-token-file", "t"]],
    [["launch"]],
  ])("%j exits 2 with one line", (args) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^set-gateway: /);
  });

  it("--require-hardened naming a brand the gateway does not serve exits 1 with one line", () => {
    const r = run(
      "serve",
      "--pki",
      tmp.pkiDir,
      "--db",
      path.join(tmp.dir, "z.sqlite"),
      "--require-hardened",
      "Amex",
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--require-hardened names Amex/);
  });

  it("an admin token file others can read, or one too short, keeps the gateway from starting", () => {
    const loose = path.join(tmp.dir, "loose-token");
    writeAdminTokenFile(loose);
    fs.chmodSync(loose, 0o640);
    const short = path.join(tmp.dir, "short-token");
    fs.writeFileSync(short, "abc\n", { mode: 0o600 });
    for (const [file, why] of [
      [loose, /mode 640; it must be 0600/],
      [short, /at least 32 characters/],
      [path.join(tmp.dir, "no-such-token"), /cannot be read/],
    ] as const) {
      const r = run(
        "serve",
        "--pki",
        tmp.pkiDir,
        "--db",
        path.join(tmp.dir, "t.sqlite"),
        "--admin-port",
        "0",
        "--admin-token-file",
        file,
      );
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(why);
    }
  });

  it("an --enrolled file that is not an object of BrandID to merIDs exits 1 with one line", () => {
    const file = path.join(tmp.dir, "enrolled.json");
    fs.writeFileSync(file, '{"Visa": "SETLAB-MER-0001"}');
    const r = run("serve", "--pki", tmp.pkiDir, "--db", path.join(tmp.dir, "e.sqlite"), "--enrolled", file);
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/enrolled merchants of Visa must be an array of merIDs/);
  });

  it("a directory that is not a lab PKI exits 1 with one line", () => {
    const r = run("serve", "--pki", tmp.dir, "--db", path.join(tmp.dir, "x.sqlite"));
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("a wrong passphrase exits 1 with one line", () => {
    const r = run(
      "serve",
      "--pki",
      tmp.pkiDir,
      "--db",
      path.join(tmp.dir, "y.sqlite"),
      "--passphrase",
      "nope",
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^set-gateway: cannot decrypt/);
  });
});

describe("set-gateway serve without --admin-port", () => {
  it("serves no admin routes at all", async () => {
    const plain = await startParty(cli, [
      "serve",
      "--pki",
      tmp.pkiDir,
      "--db",
      path.join(tmp.dir, "plain.sqlite"),
      "--port",
      "0",
    ]);
    try {
      expect(plain.adminUrl).toBeUndefined();
      expect((await fetch(`${plain.url}/admin/accounts/visa-approve`)).status).toBe(404);
      expect((await fetch(`${plain.url}/admin/authorizations?xid=${"00".repeat(20)}`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});

describe("set-gateway serve --require-hardened", () => {
  it("refuses a Visa PI without the hardened ProfileBinding (thumbsMismatch); MasterCard, not named, is served as before", async () => {
    const hardened = await startParty(cli, [
      "serve",
      "--pki",
      tmp.pkiDir,
      "--db",
      path.join(tmp.dir, "hardened.sqlite"),
      "--port",
      "0",
      "--require-hardened",
      "Visa",
    ]);
    try {
      const visa = await b.build({ amount: 100 });
      expect(await b.read(await postSet(`${hardened.url}/set`, visa.bytes))).toEqual({
        type: "error",
        code: "thumbsMismatch",
      });
      const mc = await b.build({ card: "mc-approve", amount: 100 });
      const r = await b.read(await postSet(`${hardened.url}/set`, mc.bytes), "MasterCard");
      expect(r.type === "authRes" && r.data.authResPayload.authHeader.authCode).toBe("approved");
    } finally {
      await hardened.stop();
    }
  });
});
