/**
 * A short soak across real processes: a fresh lab, light faults rotating on the gateway, then the
 * reconciliation of every purchase. No purchase may be lost, and the report carries every field.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedLabPki } from "@setlab/runtime/testing";
import { runSoak } from "./runSoak";
import { formatSoakReport, type SoakReport } from "./soakReport";

jest.setTimeout(240_000);

let home: string;
let report: SoakReport;
const progress: string[] = [];

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-soak-"));
  // The soak starts the lab itself, on a copy of the run's lab PKI (no set-ca init of its own).
  seedLabPki(path.join(home, "pki"));
  // Seeded and one purchase at a time: the gateway draws its faults in a reproducible order.
  report = await runSoak({
    home,
    seconds: 10,
    rate: 1,
    concurrency: 1,
    faults: "light",
    seed: 11,
    phaseSeconds: 3,
    rssEveryMs: 2000,
    // Time for the settling and the back office's second asks, which end as soon as all is done: a
    // CI run on a machine loaded past twice its usual time once left a step unfinished at 30 s.
    settleSeconds: 60,
    log: (l) => progress.push(l),
  });
}, 240_000);

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe("set-lab soak, 10 s of light faults", () => {
  it("loses no purchase: every one is completed, partial, declined or failed, and they add up", () => {
    expect(report.lost).toBe(0);
    expect(report.lostPurchases).toEqual([]);
    expect(report.purchases).toBeGreaterThan(0);
    expect(report.completed + report.partial + report.declined + report.failed + report.lost).toBe(
      report.purchases,
    );
    expect(Object.values(report.failedBy).reduce((a, b) => a + b, 0)).toBe(report.failed);
    // The cards include approving and declining ones.
    expect(report.completed).toBeGreaterThan(0);
  });

  it("the back office's captures and reversals under the faults all took, and the money adds up per card", () => {
    const steps = Object.entries(report.backOffice);
    expect(steps.map(([s]) => s)).toEqual([
      "capture",
      "refundPart",
      "cancel",
      "reverseCapture",
      "reduce",
      "capturePart",
      "keep",
    ]);
    // On failure: which steps were left, and the soak's last words about them.
    const left = steps.filter(([, n]) => n.done !== n.asked);
    expect(left.length === 0 ? [] : [left, progress.slice(-12)]).toEqual([]);
    // 10 purchases asked (a loaded machine may start 9): the first four steps met an approved order.
    for (const [, n] of steps.slice(0, 4)) expect(n.asked).toBeGreaterThan(0);
    expect(report.ledgerMismatches).toEqual([]);
    const posted = report.ledger.reduce((sum, l) => sum + l.postedDelta, 0);
    expect(posted).toBe(report.ledger.reduce((sum, l) => sum + l.postedByOrders, 0));
    expect(posted).toBeGreaterThan(0);
  });

  it("rotated the light plans on the gateway and counted the faults the parties logged", () => {
    expect(report.faults).toBe("light");
    expect(report.faultPhases.length).toBeGreaterThanOrEqual(2);
    expect(report.faultPhases[0].plan).toHaveProperty("dropRate");
    for (const [k, n] of Object.entries(report.faultsInjected)) {
      expect(k).toMatch(/^(gateway|merchant)\.[a-zA-Z0-9]+$/);
      expect(n).toBeGreaterThan(0);
    }
  });

  it("sampled each party's RSS over time", () => {
    expect(report.rss.length).toBeGreaterThanOrEqual(3);
    for (const row of report.rss)
      for (const party of ["gateway", "merchant", "phone", "mediator"])
        expect(row.mib[party]).toBeGreaterThan(10);
    expect(report.rss.map((r) => r.at)).toEqual([...report.rss.map((r) => r.at)].sort((a, b) => a - b));
  });

  it("prints the counts and the RSS table, and stopped the lab it started", () => {
    const text = formatSoakReport(report);
    expect(text).toMatch(/completed \d+ {2}partial \d+ {2}declined \d+ {2}failed \d+ {2}lost 0/);
    expect(text).toContain("RSS (MiB) over time:");
    expect(text).toContain("ledger: holds and postings match the orders");
    expect(text).toMatch(/gateway +merchant +phone +mediator/);
    expect(fs.existsSync(path.join(home, "lab.json"))).toBe(false);
    expect(progress[0]).toMatch(/starting a lab/);
  });
});
