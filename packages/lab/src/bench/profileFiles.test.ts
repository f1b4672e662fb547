import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { summarizeProfileDir } from "./profileFiles";
import type { CpuProfile } from "./profileSummary";

const tiny = (name: string): CpuProfile => ({
  nodes: [
    { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: 0, columnNumber: 0 }, children: [2] },
    { id: 2, callFrame: { functionName: name, url: "file:///w/a.js", lineNumber: 0, columnNumber: 0 } },
  ],
  startTime: 0,
  endTime: 1000,
  samples: [2],
  timeDeltas: [0],
});

describe("summarizeProfileDir", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-prof-test-"));
    fs.writeFileSync(
      path.join(dir, "CPU.20240101.000000.11.0.001.cpuprofile"),
      JSON.stringify(tiny("eleven")),
    );
    fs.writeFileSync(
      path.join(dir, "CPU.20240101.000000.22.0.001.cpuprofile"),
      JSON.stringify(tiny("twenty")),
    );
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a profile");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names each profile by its pid, named ones first in the order given, others by pid", () => {
    const found = summarizeProfileDir(dir, new Map([[22, "merchant"]]));
    expect(found.map((p) => [p.party, p.pid, p.summary.top[0].name])).toEqual([
      ["merchant", 22, "twenty"],
      ["pid 11", 11, "eleven"],
    ]);
  });

  it("leaves out unnamed processes when asked", () => {
    expect(summarizeProfileDir(dir, new Map([[11, "gateway"]]), 10, true).map((p) => p.party)).toEqual([
      "gateway",
    ]);
  });
});
