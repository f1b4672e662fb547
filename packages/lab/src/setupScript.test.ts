/**
 * scripts/setup.sh (`npm run setup`): quiet when every step works; when one fails, it says which
 * step, with what exit code, and shows the step's own output. Run on a copy of the script with
 * stand-ins for pnpm, OpenSSL and asn1Decoding first on PATH, so nothing is installed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const script = path.resolve(__dirname, "../../../scripts/setup.sh");
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-setup-test-"));
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.copyFileSync(script, path.join(dir, "scripts", "setup.sh"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const tool = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  tool("openssl", "exit 0");
  tool("asn1Decoding", "exit 0");
  // pnpm's install: progress noise on success; on failure what a native build without Node headers prints.
  tool(
    "pnpm",
    [
      'if [ "$1" = "--version" ]; then echo 10.34.9; exit 0; fi',
      'echo "Progress: resolved 612, reused 612, downloaded 0, added 612"',
      'if [ -n "$FAKE_INSTALL_FAILS" ]; then',
      '  echo "node_modules/better-sqlite3 install: gyp ERR! stack Error: Could not find any Python installation to use" >&2',
      '  echo " ELIFECYCLE  Command failed with exit code 1." >&2',
      "  exit 1",
      "fi",
    ].join("\n"),
  );
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const setup = (env: Record<string, string> = {}) =>
  spawnSync("bash", [path.join(dir, "scripts", "setup.sh")], {
    encoding: "utf8",
    env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`, HOME: dir, TMPDIR: dir, ...env },
  });

describe("scripts/setup.sh", () => {
  it("says nothing but that it is done when every step works", () => {
    const r = setup();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("setup: done\n");
    expect(r.stderr).toBe("");
  });

  it("names the failing step, its exit code and its own error output, and stops", () => {
    const r = setup({ FAKE_INSTALL_FAILS: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/setup: FAILED: install the workspace .*\(exit code 1\)/);
    expect(r.stderr).toContain("gyp ERR! stack Error: Could not find any Python installation to use");
    expect(r.stderr).toContain("Command failed with exit code 1.");
    expect(r.stdout).not.toContain("setup: done");
    // The step's log is not left behind.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("setlab-setup."))).toEqual([]);
  });
});
