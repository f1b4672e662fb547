/**
 * The PC's bonds in the real Linux kernel keyring, through the real `keyctl` (keyutils; `.ci/run`
 * installs it). Each test keeps its keys under a prefix of its own and removes them after. A
 * wrapper around keyctl records every argument list it was given, to show the secret never is one.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hasKeyctl, KeyringBondKeeper } from "./keyringBondKeeper";

const prefix = `setlab-test-${process.pid}-${randomBytes(4).toString("hex")}:`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-keyring-"));
const argvLog = path.join(dir, "argv.log");
const wrapper = path.join(dir, "keyctl");
fs.writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec keyctl "$@"\n`, {
  mode: 0o700,
});

const keyctl = (...args: string[]) =>
  execFileSync("keyctl", args, { encoding: "latin1", stdio: ["ignore", "pipe", "pipe"] }).trim();
const idOf = (phone: string) => keyctl("search", "@u", "user", prefix + phone);
/** The key's line in /proc/keys: id, flags, usage, expiry, permissions, uid, gid, type, description. */
const procKeysLine = (id: string) =>
  fs
    .readFileSync("/proc/keys", "utf8")
    .split("\n")
    .find((l) => l.startsWith(Number(id).toString(16).padStart(8, "0")))!
    .trim()
    .split(/\s+/);

function bond() {
  return { bondId: new Uint8Array(randomBytes(16)), linkKey: new Uint8Array(randomBytes(32)) };
}
// The module object itself (an ES namespace import is a copy): spawn is watched on it.
const childProcess: typeof import("node:child_process") = require("node:child_process");
const keeper = (options = {}) => new KeyringBondKeeper({ keyctl: wrapper, prefix, ...options });

afterAll(() => {
  try {
    execFileSync("keyctl", ["purge", "-p", "user", prefix], { stdio: "ignore" });
  } catch {
    // nothing left
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the PC's bonds in the Linux keyring", () => {
  test("this machine has keyctl (keyutils), as .ci/run installs it", () => {
    expect(hasKeyctl()).toBe(true);
    expect(hasKeyctl({ PATH: dir.replace(/keyring-.*/, "nowhere") })).toBe(false);
  });

  test("a kept bond loads back byte for byte, from another keeper (another run)", async () => {
    const b = bond();
    const expected = { bondId: b.bondId.slice(), linkKey: b.linkKey.slice() };
    await keeper().save("127.0.0.1:4101", b);
    expect(await keeper().load("127.0.0.1:4101")).toEqual(expected);
    // the payload as the keyring holds it: bond id then link key
    const raw = execFileSync("keyctl", ["pipe", idOf("127.0.0.1:4101")]);
    expect(raw).toEqual(Buffer.concat([expected.bondId, expected.linkKey]));
  });

  test("a load is one child of this process: the search and the read run in one shell", async () => {
    await keeper().save("127.0.0.1:4113", bond());
    fs.rmSync(argvLog, { force: true });
    const spawned = jest.spyOn(childProcess, "spawn");
    try {
      expect(await keeper().load("127.0.0.1:4113")).toBeDefined();
      expect(spawned).toHaveBeenCalledTimes(1);
    } finally {
      spawned.mockRestore();
    }
    // keyctl itself still ran twice: the search in the user keyring, then the read of its answer
    expect(fs.readFileSync(argvLog, "utf8")).toMatch(
      /^search @u user setlab-test-.*:127\.0\.0\.1:4113\npipe \d+\n$/,
    );
  });

  test("the key is the user's only, and times out", async () => {
    await keeper({ lifetimeSeconds: 300 }).save("127.0.0.1:4102", bond());
    const id = idOf("127.0.0.1:4102");
    const [, , , expiry, perm, uid] = procKeysLine(id);
    expect(perm).toBe("3f2f0000");
    expect(Number(uid)).toBe(process.getuid!());
    // /proc/keys shows the time left ("4m" or "5m"); "perm" would mean it never expires
    expect(expiry).not.toBe("perm");
    expect(expiry).toMatch(/^[45]m$/);
  });

  test("the secret travels on pipes only: no keyctl argument list holds it", async () => {
    fs.rmSync(argvLog, { force: true });
    const b = bond();
    const hexKey = Buffer.from(b.linkKey).toString("hex");
    const hexId = Buffer.from(b.bondId).toString("hex");
    await keeper().save("127.0.0.1:4103", b);
    await keeper().load("127.0.0.1:4103");
    const log = fs.readFileSync(argvLog, "utf8");
    expect(log).toMatch(/^padd user setlab-test-.*:127\.0\.0\.1:4103 @u$/m);
    expect(log).toMatch(/^pipe \d+$/m);
    expect(log.includes(hexKey) || log.includes(hexId)).toBe(false);
    expect(log).not.toMatch(/[\x80-\xff]/);
  });

  test("the caller's bytes are left as they were (the caller wipes them)", async () => {
    const b = bond();
    const copy = b.linkKey.slice();
    await keeper().save("127.0.0.1:4104", b);
    expect(b.linkKey).toEqual(copy);
  });

  test("nothing kept: undefined; a second bond for the phone replaces the first", async () => {
    expect(await keeper().load("127.0.0.1:4105")).toBeUndefined();
    const first = bond();
    const second = bond();
    await keeper().save("127.0.0.1:4105", first);
    const firstId = first.bondId.slice();
    await keeper().save("127.0.0.1:4105", second);
    const loaded = await keeper().load("127.0.0.1:4105");
    expect(loaded?.bondId).toEqual(second.bondId);
    expect(loaded?.bondId).not.toEqual(firstId);
  });

  test("drop removes the bond only when it is still the one named", async () => {
    const b = bond();
    await keeper().save("127.0.0.1:4106", b);
    await keeper().drop("127.0.0.1:4106", new Uint8Array(16).fill(9));
    expect((await keeper().load("127.0.0.1:4106"))?.bondId).toEqual(b.bondId);
    await keeper().drop("127.0.0.1:4106", b.bondId);
    expect(await keeper().load("127.0.0.1:4106")).toBeUndefined();
  });

  test("remove forgets whatever is kept for a phone", async () => {
    await keeper().save("127.0.0.1:4107", bond());
    expect(await keeper().remove("127.0.0.1:4107")).toBe(true);
    expect(await keeper().load("127.0.0.1:4107")).toBeUndefined();
    expect(await keeper().remove("127.0.0.1:4107")).toBe(false);
  });

  test("a key of the wrong size under the name is not a bond: not returned, and removed", async () => {
    execFileSync("keyctl", ["padd", "user", `${prefix}127.0.0.1:4108`, "@u"], { input: Buffer.alloc(20, 1) });
    expect(await keeper().load("127.0.0.1:4108")).toBeUndefined();
    expect(() => idOf("127.0.0.1:4108")).toThrow();
  });

  test("an address that is not HOST:PORT never reaches keyctl", async () => {
    fs.rmSync(argvLog, { force: true });
    const k = keeper();
    await k.save("127.0.0.1:4109 @s", bond());
    expect(await k.load("bad\naddress:1")).toBeUndefined();
    await k.drop("", new Uint8Array(16));
    expect(fs.existsSync(argvLog)).toBe(false);
    expect(() => new KeyringBondKeeper({ prefix: "has space" })).toThrow(RangeError);
    expect(() => new KeyringBondKeeper({ lifetimeSeconds: 0 })).toThrow(RangeError);
  });

  test("without keyctl the keeper keeps nothing, says why once, and never throws", async () => {
    const reasons: string[] = [];
    const k = keeper({
      keyctl: path.join(dir, "no-such-keyctl"),
      onUnavailable: (r: string) => reasons.push(r),
    });
    expect(await k.load("127.0.0.1:4110")).toBeUndefined();
    await k.save("127.0.0.1:4110", bond());
    await k.drop("127.0.0.1:4110", new Uint8Array(16));
    expect(reasons).toEqual([expect.stringMatching(/not found \(install keyutils\)/)]);
    expect(k.unavailableReason).toBe(reasons[0]);
  });

  test("a keyring that refuses the process (as some containers do) is unavailable, not an error", async () => {
    const refusing = path.join(dir, "refusing-keyctl");
    fs.writeFileSync(refusing, "#!/bin/sh\necho 'keyctl_search: Operation not permitted' >&2\nexit 1\n", {
      mode: 0o700,
    });
    const reasons: string[] = [];
    const k = keeper({ keyctl: refusing, onUnavailable: (r: string) => reasons.push(r) });
    expect(await k.load("127.0.0.1:4111")).toBeUndefined();
    await k.save("127.0.0.1:4111", bond());
    expect(reasons).toEqual(["keyctl_search: Operation not permitted"]);
  });

  test("a keyctl that hangs is given up after its time", async () => {
    const hanging = path.join(dir, "hanging-keyctl");
    fs.writeFileSync(hanging, "#!/bin/sh\nexec sleep 30\n", { mode: 0o700 });
    const reasons: string[] = [];
    const k = keeper({ keyctl: hanging, timeoutMs: 200, onUnavailable: (r: string) => reasons.push(r) });
    const started = Date.now();
    expect(await k.load("127.0.0.1:4112")).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(reasons).toEqual([expect.stringMatching(/did not end within 200 ms/)]);
  });
});
