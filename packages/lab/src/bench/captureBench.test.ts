import { captureRawOps } from "./captureBench";
import { formatReport } from "./formatReport";
import type { StackRates } from "./rawCrypto";
import { buildReport, summarizeCapture } from "./report";

const rate = (ms: number) => ({ perSecond: 1000 / ms, wallMs: ms, ms });
const stack = (sign: number, decrypt: number): StackRates => ({
  provider: "node",
  sign: rate(sign),
  decrypt: rate(decrypt),
  verify: rate(0.05),
  encrypt: rate(0.05),
});
const raw = { node: stack(1, 0.5), peculiar: stack(3, 3) };

describe("capture bench figures", () => {
  it("counts the private-key operations of a batch: CapReqs of at most so many items, one CapToken each, the close", () => {
    expect(captureRawOps(1, 256)).toEqual({
      capReqs: 1,
      gateway: { signs: 2, decrypts: 3 },
      merchant: { signs: 2, decrypts: 2 },
    });
    expect(captureRawOps(1000, 256)).toEqual({
      capReqs: 4,
      gateway: { signs: 5, decrypts: 1005 },
      merchant: { signs: 5, decrypts: 5 },
    });
  });

  it("derives captures/s and CPU per capture against its raw RSA, and prints them", () => {
    const batch = {
      batchSize: 100,
      capReqs: 1,
      captured: 100,
      wallMs: 500,
      gatewayCpuMs: 150,
      merchantCpuMs: 50,
      ops: captureRawOps(100, 256),
      settledItems: 100,
    };
    const [row] = summarizeCapture([batch], raw);
    // gateway 2 signs + 102 decrypts = 53 ms, merchant 2 + 2 = 3 ms: 0.56 ms per capture
    expect(row.perSecond).toBe(200);
    expect(row.cpuMsPerCapture).toBe(2);
    expect(row.rawMsPerCapture).toBeCloseTo(0.56, 10);
    expect(row.cpuOverRaw).toBeCloseTo(2 / 0.56, 10);
    expect(row.gatewayCpuOverRaw).toBeCloseTo(1.5 / 0.53, 10);
    const text = formatReport(
      buildReport({
        startedAt: "2026-01-01T00:00:00.000Z",
        node: "v20",
        cpus: 2,
        clockTicks: 100,
        logLevel: "info",
        raw,
        capture: [batch],
      }),
    );
    expect(text).toMatch(/captures in settlement batches/);
    expect(text).toMatch(/\s100\s+1\s+100\s+200\.0\s+2\.00 \(1\.50 \+ 0\.50\)\s+0\.560\s+3\.6x\s+2\.8x/);
  });
});
