/**
 * Test-only: one running lab for an e2e test file: `up` in a fresh temp home (its PKI a copy of the
 * test run's, seedLabPki) before its tests,
 * `down` and the home removed after. `home` and `state` are there from the file's first test on.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedLabPki } from "@setlab/runtime/testing";
import { down } from "../commands/down";
import { type UpOptions, up } from "../commands/up";
import type { LabState } from "../labState";

export interface RunningLab {
  readonly home: string;
  readonly state: LabState;
}

export function useRunningLab(name: string, options: Omit<UpOptions, "home"> = {}): RunningLab {
  let home: string | undefined;
  let state: LabState | undefined;
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), `setlab-${name}-`));
    seedLabPki(path.join(home, "pki"));
    state = await up({ ...options, home });
  }, 120_000);
  afterAll(async () => {
    if (!home) return;
    if (state) await down(home).catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  });
  return {
    get home() {
      if (!home) throw new Error("the lab has no home yet");
      return home;
    },
    get state() {
      if (!state) throw new Error("the lab did not start");
      return state;
    },
  };
}
