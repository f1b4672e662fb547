/**
 * One lab per e2e test file: `up` in a fresh temp home before the file's tests, `down` after.
 * With SETLAB_ATTACK_LAB=HOME the tests run against that already running lab instead (faster
 * iteration); it is left running.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { down, up } from "@setlab/lab";
import type { AttackTarget } from "../attack";
import { targetOfLab } from "../target";
import { sharedLabPki } from "../toolkit/labFixture";

export function labForTests(name: string): () => AttackTarget {
  let home: string | undefined;
  let target: AttackTarget | undefined;
  const given = process.env.SETLAB_ATTACK_LAB;
  beforeAll(async () => {
    if (given) {
      target = targetOfLab(given);
      return;
    }
    home = fs.mkdtempSync(path.join(os.tmpdir(), `setlab-${name}-`));
    await up({ home, pki: sharedLabPki() });
    target = targetOfLab(home);
  }, 120_000);
  afterAll(async () => {
    if (!home) return;
    try {
      await down(home);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
  return () => {
    if (!target) throw new Error("the lab did not start");
    return target;
  };
}
