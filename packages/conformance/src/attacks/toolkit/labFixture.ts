/**
 * For the attack suites' end-to-end tests: a lab (`up` from @setlab/lab) in a temp home, on a lab
 * PKI shared by every test file of a run. Under jest it is a copy of the run's lab PKI
 * (`seedLabPki`) kept in the run's directory; elsewhere it is made once with `set-ca init` and
 * cached in the temp dir, keyed by the CA program's build, so a rebuilt CA seeds a fresh one.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { down, up } from "@setlab/lab";
import { runShared } from "@setlab/protocol/testing";
import { seedLabPki } from "@setlab/runtime/testing";
import type { AttackTarget } from "../attack";
import { targetOfLab } from "../target";

const caDist = path.resolve(__dirname, "..", "..", "..", "..", "ca", "dist");

function caBuildKey(): string {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".js")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  walk(caDist);
  return Math.floor(newest).toString(36);
}

/** A lab PKI directory shared across test files (made with `set-ca init` when missing). */
export function sharedLabPki(): string {
  // Its own copy, not the run's template itself: the attack labs' CA writes to its PKI.
  const inRun = runShared("attack-lab-pki", (into) => {
    seedLabPki(into);
  });
  if (inRun) return inRun;
  const dir = path.join(os.tmpdir(), `setlab-attack-pki-${caBuildKey()}`);
  if (fs.existsSync(path.join(dir, "manifest.json"))) return dir;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-attack-pki-new-"));
  const out = path.join(scratch, "pki");
  const r = spawnSync(process.execPath, [path.join(caDist, "cli.js"), "init", "--out", out], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`set-ca init failed: ${(r.stderr || r.stdout).trim()}`);
  try {
    fs.renameSync(out, dir);
  } catch {
    // Another test file made it first: use theirs.
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  return dir;
}

/** Whether the PKI carries the attack fixtures (`attack/...` ids). */
export function hasAttackFixtures(pki: string): boolean {
  const manifest = JSON.parse(fs.readFileSync(path.join(pki, "manifest.json"), "utf8")) as {
    certificates: { id: string }[];
  };
  return manifest.certificates.some((c) => c.id.startsWith("attack/"));
}

export interface TestLab {
  readonly target: AttackTarget;
  stop(): Promise<void>;
}

export async function startTestLab(name: string): Promise<TestLab> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `setlab-${name}-`));
  const pki = sharedLabPki();
  await up({ home, pki });
  return {
    target: targetOfLab(home),
    stop: async () => {
      await down(home).catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * The TestLab of one test file: started before its tests, stopped after them. `target` is there
 * from the file's first test on.
 */
export function useTestLab(name: string): { readonly target: AttackTarget } {
  let lab: TestLab | undefined;
  beforeAll(async () => {
    lab = await startTestLab(name);
  });
  afterAll(async () => {
    await lab?.stop();
  });
  return {
    get target() {
      if (!lab) throw new Error("the lab did not start");
      return lab.target;
    },
  };
}
