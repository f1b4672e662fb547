import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import {
  AdminTokenError,
  adminHeaders,
  adminListenerFromArgs,
  readAdminTokenFile,
  requireAdminToken,
  writeAdminTokenFile,
} from "./adminAccess";
import { UsageError } from "./cliRunner";

let dir: string;
let umask: number;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-admin-"));
  umask = process.umask(0o000); // the loosest umask: the file's mode must not come from it
});
afterAll(() => {
  process.umask(umask);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("admin token file", () => {
  it("is written 0600 with a fresh 43-character token, and read back", () => {
    const file = path.join(dir, "token");
    const token = writeAdminTokenFile(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readAdminTokenFile(file)).toBe(token);
    expect(writeAdminTokenFile(path.join(dir, "other"))).not.toBe(token);
  });

  it.each(["640", "604", "660", "644", "620"])("is refused with mode %s", (mode) => {
    const file = path.join(dir, `loose-${mode}`);
    writeAdminTokenFile(file);
    fs.chmodSync(file, Number.parseInt(mode, 8));
    expect(() => readAdminTokenFile(file)).toThrow(AdminTokenError);
    expect(() => readAdminTokenFile(file)).toThrow(/it must be 0600/);
  });

  it("is refused when missing, a directory, too short or not one token", () => {
    expect(() => readAdminTokenFile(path.join(dir, "missing"))).toThrow(/cannot be read/);
    const sub = path.join(dir, "sub");
    fs.mkdirSync(sub, { mode: 0o700 });
    expect(() => readAdminTokenFile(sub)).toThrow(/not a file/);
    for (const [name, text] of [
      ["short", "x".repeat(31)],
      ["spaces", `${"x".repeat(20)} ${"y".repeat(20)}`],
      ["empty", ""],
    ]) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text, { mode: 0o600 });
      expect(() => readAdminTokenFile(file)).toThrow(/at least 32 characters/);
    }
  });
});

describe("adminListenerFromArgs", () => {
  it("is undefined without --admin-port, loopback by default with it", () => {
    expect(adminListenerFromArgs({})).toBeUndefined();
    expect(adminListenerFromArgs({ port: "0", tokenFile: "t" })).toEqual({
      port: 0,
      host: "127.0.0.1",
      tokenFile: "t",
    });
    expect(adminListenerFromArgs({ port: "9000", host: "::1", tokenFile: "t" })?.host).toBe("::1");
  });

  it.each([
    [{ port: "0" }, /needs --admin-token-file/],
    [{ port: "70000", tokenFile: "t" }, /0-65535/],
    [{ port: "x", tokenFile: "t" }, /0-65535/],
    [{ tokenFile: "t" }, /need --admin-port/],
    [{ host: "127.0.0.1" }, /need --admin-port/],
  ])("%j is a usage error", (args, why) => {
    expect(() => adminListenerFromArgs(args)).toThrow(UsageError);
    expect(() => adminListenerFromArgs(args)).toThrow(why);
  });
});

describe("requireAdminToken", () => {
  const token = "k".repeat(40);
  let app: FastifyInstance;
  let whole: FastifyInstance;
  let base: string;
  let wholeBase: string;
  beforeAll(async () => {
    app = Fastify();
    await app.register(async (admin) => {
      requireAdminToken(admin, token);
      admin.get("/secret", async () => ({ ok: true }));
    });
    app.get("/open", async () => ({ open: true }));
    base = await app.listen({ port: 0, host: "127.0.0.1" });
    whole = Fastify();
    requireAdminToken(whole, token);
    whole.get("/secret", async () => ({ ok: true }));
    wholeBase = await whole.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await app.close();
    await whole.close();
  });

  const get = async (url: string, headers: Record<string, string> = {}, at = base) => {
    const r = await fetch(`${at}${url}`, { headers });
    return { statusCode: r.status, headers: r.headers, body: await r.text() };
  };

  it("answers with the token (the scheme name in any case)", async () => {
    const r = await get("/secret", adminHeaders(token));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true });
    expect((await get("/secret", { authorization: `bearer ${token}` })).statusCode).toBe(200);
  });

  it.each([
    ["no header", {}],
    ["the token without Bearer", { authorization: token }],
    ["an empty bearer", { authorization: "Bearer " }],
    ["a wrong token of the same length", adminHeaders("j".repeat(40))],
    ["the token with a byte more", adminHeaders(`${token}k`)],
    ["a prefix of the token", adminHeaders(token.slice(0, 39))],
    ["another scheme", { authorization: `Basic ${token}` }],
  ])("refuses %s with 401 and WWW-Authenticate", async (_name, headers) => {
    const r = await get("/secret", headers);
    expect(r.statusCode).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(JSON.parse(r.body)).toEqual({ error: "admin token required" });
  });

  it("guards only the plugin it is added to: the app's other routes stay open", async () => {
    expect((await get("/open")).statusCode).toBe(200);
    expect((await get("/nothing-here")).statusCode).toBe(404);
  });

  it("added to the app itself, it refuses unknown routes too (401, not 404)", async () => {
    expect((await get("/nothing-here", {}, wholeBase)).statusCode).toBe(401);
    expect((await get("/nothing-here", adminHeaders(token), wholeBase)).statusCode).toBe(404);
    expect((await get("/secret", adminHeaders(token), wholeBase)).statusCode).toBe(200);
  });

  it("refuses a token too short to be safe", () => {
    expect(() => requireAdminToken(Fastify(), "short")).toThrow(AdminTokenError);
  });
});
