/** The lab CLI's refusals: one line on stderr and exit code 2, never a stack trace. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const cli = path.resolve(__dirname, "..", "dist", "cli.js");
let home: string;

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -b first`);
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-cli-"));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe("set-lab", () => {
  it.each([
    [["status", "--home", "HOME"], "no lab is running"],
    [["down", "--home", "HOME"], "no lab is running"],
    [["purchase", "--home", "HOME"], "purchase needs --card"],
    [["purchase", "--home", "HOME", "--card", "visa-approve", "--currency", "XYZ"], "unknown currency"],
    [
      ["purchase", "--home", "HOME", "--card", "visa-approve", "--amount", "12.5", "--currency", "JPY"],
      "more decimals",
    ],
    [["purchase", "--home", "HOME", "--card", "visa-approve", "--profile", "weird"], "--profile must be"],
    [
      ["purchase", "--home", "HOME", "--card", "visa-approve", "--confirm", "maybe"],
      "--confirm takes yes or no",
    ],
    [["purchase", "--home", "HOME", "--card", "visa-approve"], "no lab is running"],
    [
      ["shop", "--home", "HOME", "--profiles", "set,weird"],
      '--profiles takes a list of set, hardened, embodiment-1, embodiment-2, not "weird"',
    ],
    [["shop", "--home", "HOME", "--port", "x"], "--port takes a number"],
    [["shop", "--home", "HOME"], "no lab is running"],
    [["browser-setup", "--home", "HOME"], "browser-setup needs --profile DIR"],
    [
      ["browser-setup", "--home", "HOME", "--profile", "HOME/p", "--trust-origin", "http://a"],
      "no lab is running",
    ],
    [["capture", "--home", "HOME"], "capture needs ORDER [AMOUNT]"],
    [["capture", "--home", "HOME", "1", "100", "200"], "capture needs ORDER [AMOUNT]"],
    [["capture", "--home", "HOME", "1", "--authorization", "0"], "--authorization takes the number"],
    [["capture", "--home", "HOME", "1", "--batch", "2"], "Unknown option '--batch'"],
    [["capture", "--home", "HOME", "1"], "no lab is running"],
    [["reverse", "--home", "HOME"], "reverse needs ORDER [AMOUNT]"],
    [["reverse", "--home", "HOME", "1", "100", "200"], "reverse needs ORDER [AMOUNT]"],
    [["reverse", "--home", "HOME", "1", "--authorization", "x"], "--authorization takes the number"],
    [["reverse", "--home", "HOME", "1", "--json"], "no lab is running"],
    [["up", "--bogus"], "Unknown option"],
    [["up", "--home", "HOME", "--gateway-timeout", "soon"], "--gateway-timeout takes milliseconds, not soon"],
    [["fly"], "unknown command: fly"],
  ])("%j is refused: %s", (args, message) => {
    const r = run(...args.map((a) => a.replace(/^HOME/, home)));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
