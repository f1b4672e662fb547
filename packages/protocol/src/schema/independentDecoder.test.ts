/**
 * An independent oracle for the wire format: every registered type's DER, made by our codecs,
 * must decode under libtasn1's asn1Decoding against the module file SetLab.asn. A codec that
 * drifts from the module (a tag, an order, an optional field) fails here even when our own
 * round-trip tests pass, since those only compare our encoder with our decoder.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { encodeDer } from "../asn1/codec";
import { arbitraryOf } from "../testing/arbitrary";
import { lookupType, registry } from "./registry";

const moduleFile = resolve(__dirname, "../../asn1/SetLab.asn");
const moduleName = "SetLab-Module";

/**
 * Types the module may hold without a codec of their own. Empty: every `::=` in SetLab.asn is a
 * named codec. Add a name here only for a module-only helper that no message references alone.
 */
const moduleOnly: readonly string[] = [];

function toolMissing(tool: string): string | undefined {
  const probe = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (probe.error)
    return `${tool} is not installed (${probe.error.message}): install the Debian package libtasn1-bin`;
  return undefined;
}

interface Verdict {
  readonly ok: boolean;
  readonly output: string;
}

const args = (file: string, asn1Name: string) => ["-s", moduleFile, file, `${moduleName}.${asn1Name}`];
const verdictOf = (status: number | null, stdout: string, stderr: string): Verdict => {
  const output = `${stdout}${stderr}`;
  return { ok: status === 0 && output.includes("Decoding: SUCCESS"), output };
};

const asn1Decoding = (file: string, asn1Name: string) =>
  new Promise<Verdict>((done) => {
    execFile("asn1Decoding", args(file, asn1Name), (error, stdout, stderr) =>
      done(verdictOf(error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr)),
    );
  });

/** Runs `jobs` with at most `width` in flight: one asn1Decoding process per core. */
async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

let dir: string;
/** Per type: the rejected samples' reports, or why no sample could be made. */
const failures = new Map<string, string[]>();

beforeAll(async () => {
  const missing = toolMissing("asn1Decoding");
  if (missing) throw new Error(missing);
  dir = mkdtempSync(join(tmpdir(), "setlab-asn1-"));
  const jobs: (() => Promise<void>)[] = [];
  for (const { asn1Name, codec } of registry) {
    const problems: string[] = [];
    failures.set(asn1Name, problems);
    try {
      fc.sample(arbitraryOf(codec), { numRuns: 3, seed: 42 }).forEach((value, i) => {
        const file = writeDer(`${asn1Name}-${i}`, encodeDer(codec, value));
        jobs.push(async () => {
          const verdict = await asn1Decoding(file, asn1Name);
          if (!verdict.ok) problems.push(`sample ${i} rejected:\n${verdict.output}`);
        });
      });
    } catch (e) {
      problems.push(`no sample: ${(e as Error).message}`);
    }
  }
  await inParallel(jobs, Math.max(2, availableParallelism()));
  // About 660 decoder runs: some 20 s on an idle 2-core machine, several times that on a busy one.
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeDer(name: string, der: Uint8Array): string {
  const file = join(dir, `${name}.der`);
  writeFileSync(file, der);
  return file;
}

describe("SetLab.asn as the independent decoder sees it", () => {
  it("parses under asn1Parser", () => {
    const missing = toolMissing("asn1Parser");
    if (missing) throw new Error(missing);
    const out = join(dir, "SetLab_asn1_tab.c");
    const run = spawnSync("asn1Parser", ["-c", moduleFile, "-o", out], { encoding: "utf8" });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/error|not found/i);
    expect(run.status).toBe(0);
  });

  it("declares exactly the types the registry has codecs for", () => {
    const text = readFileSync(moduleFile, "utf8").replace(/--.*$/gm, "");
    const declared = [...text.matchAll(/^([A-Za-z][A-Za-z0-9-]*)\s*::=/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(50);
    expect(new Set(declared).size).toBe(declared.length);
    const registered = registry.map((t) => t.asn1Name);
    const withoutCodec = declared.filter((n) => !registered.includes(n) && !moduleOnly.includes(n));
    const withoutModuleType = registered.filter((n) => !declared.includes(n));
    expect({ withoutCodec, withoutModuleType }).toEqual({ withoutCodec: [], withoutModuleType: [] });
  });
});

describe.each(registry.map((t) => t.asn1Name))("%s", (asn1Name) => {
  it("decodes under asn1Decoding -s for three generated samples", () => {
    expect(failures.get(asn1Name)).toEqual([]);
  });
});

describe("the oracle can say no", () => {
  it("rejects a PANData offered as a CurrencyAmount", async () => {
    const [panData] = fc.sample(arbitraryOf(lookupType("PANData")), { numRuns: 1, seed: 42 });
    const file = writeDer("PANData-as-CurrencyAmount", encodeDer(lookupType("PANData"), panData));
    expect((await asn1Decoding(file, "PANData")).ok).toBe(true);
    expect((await asn1Decoding(file, "CurrencyAmount")).ok).toBe(false);
  });

  it("rejects a PReq whose alternative tag is swapped", async () => {
    const PReq = lookupType("PReq");
    const [preq] = fc.sample(arbitraryOf(PReq), { numRuns: 1, seed: 7 });
    const der = new Uint8Array(encodeDer(PReq, preq));
    der[0] ^= 0x01; // [0] <-> [1]: the body no longer fits the alternative it claims
    expect((await asn1Decoding(writeDer("PReq-swapped", der), "PReq")).ok).toBe(false);
  });
});
