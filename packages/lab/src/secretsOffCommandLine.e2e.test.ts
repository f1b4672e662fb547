/**
 * No secret on a command line: every local user can read /proc/PID/cmdline. While the lab starts
 * (CA init, card personalization, gateway, merchant, phone) and while a purchase runs with the
 * mediator as its own process, every process of the lab is watched, and none may carry the
 * pairing code, the PIN or the passphrase in its arguments. The watcher itself is shown to catch
 * a process that does.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { down } from "./commands/down";
import { purchase } from "./commands/purchase";
import { up } from "./commands/up";
import { purchAmtOf } from "./currency";
import { type LabState, pairingCodeFile } from "./labState";

jest.setTimeout(180_000);

const PIN = "90817263";
const CODE = "909090";
const PASSPHRASE = `argv-test-${randomBytes(6).toString("hex")}`;
const secrets = [PIN, CODE, PASSPHRASE];

/** Every command line of a process of ours seen while it runs, polled from /proc. */
class CommandLineWatch {
  readonly seen = new Map<number, string[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly interesting: (argv: string[]) => boolean) {}

  start(): void {
    const poll = () => {
      for (const entry of fs.readdirSync("/proc")) {
        if (!/^[0-9]+$/.test(entry)) continue;
        let raw: string;
        try {
          raw = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
        } catch {
          continue;
        }
        const argv = raw.split("\0").filter((a) => a.length > 0);
        if (argv.length > 0 && this.interesting(argv)) this.seen.set(Number(entry), argv);
      }
    };
    poll();
    this.timer = setInterval(poll, 5);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The command lines that carry one of `secrets`. */
  leaks(): string[][] {
    return [...this.seen.values()].filter((argv) => argv.some((a) => secrets.some((s) => a.includes(s))));
  }

  saw(what: (argv: string[]) => boolean): boolean {
    return [...this.seen.values()].some(what);
  }
}

let home: string;
let state: LabState | undefined;
const savedPassphrase = process.env.SETLAB_PASSPHRASE;

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-argv-"));
  process.env.SETLAB_PASSPHRASE = PASSPHRASE;
});

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  if (savedPassphrase === undefined) delete process.env.SETLAB_PASSPHRASE;
  else process.env.SETLAB_PASSPHRASE = savedPassphrase;
  fs.rmSync(home, { recursive: true, force: true });
});

test("the watcher catches a secret on a command line", async () => {
  const watch = new CommandLineWatch((argv) => argv.includes("--pairing-code"));
  watch.start();
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "--", "--pairing-code", CODE]);
  try {
    for (let i = 0; i < 400 && watch.leaks().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    child.kill("SIGKILL");
    watch.stop();
  }
  expect(watch.leaks()).toEqual([
    [process.execPath, "-e", "setTimeout(() => {}, 60000)", "--", "--pairing-code", CODE],
  ]);
});

test("the lab's processes, started and purchasing, carry no pairing code, PIN or passphrase in argv", async () => {
  const ours = (argv: string[]) =>
    argv.some((a) => a.includes(home) || a.includes(`${path.sep}dist${path.sep}cli.js`));
  const watch = new CommandLineWatch(ours);
  watch.start();
  try {
    state = await up({ home, pin: PIN, pairingCode: CODE });
    const r = await purchase({
      home,
      card: "visa-approve",
      purchAmt: purchAmtOf("1500", "JPY"),
      separateMediator: true,
    });
    expect(r.mediator.outcome).toBe("approved");
  } finally {
    watch.stop();
  }
  const script = (name: string, command: string) => (argv: string[]) =>
    argv.some((a) => a.endsWith(path.join(name, "dist", "cli.js"))) && argv.includes(command);
  // the watch saw every long-lived party and the mediator
  expect(watch.saw(script("wallet-card", "serve"))).toBe(true);
  expect(watch.saw(script("merchant-server", "serve"))).toBe(true);
  expect(watch.saw(script("acquirer-server", "serve"))).toBe(true);
  expect(watch.saw(script("mediator", "purchase"))).toBe(true);
  expect(watch.leaks()).toEqual([]);
  // the phone got its code from an owner-only file
  expect(fs.statSync(pairingCodeFile(home)).mode & 0o777).toBe(0o600);
  expect(fs.readFileSync(pairingCodeFile(home), "utf8").trim()).toBe(CODE);
  // lab.json names the file, not the code: the phone renews the code there after a wrong one
  expect(state.pairingCodeFile).toBe(pairingCodeFile(home));
  expect(fs.readFileSync(path.join(home, "lab.json"), "utf8")).not.toContain(CODE);
  // merchant and gateway got the admin token from an owner-only file, and no argv carried it
  const tokenFile = state.adminTokenFile ?? "";
  expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
  const token = fs.readFileSync(tokenFile, "utf8").trim();
  expect(token.length).toBeGreaterThanOrEqual(32);
  expect(watch.saw((argv) => argv.some((a) => a.includes(token)))).toBe(false);
  expect(watch.saw((argv) => argv.includes("--admin-token-file"))).toBe(true);
});
