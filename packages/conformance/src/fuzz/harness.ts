/**
 * The fuzzing harness: runs one target over fast-check inputs and classifies every answer. A
 * target answers "accepted" or "rejected" (a typed rejection: SetError, a clean HTTP status with a
 * SET Error body, a card status word); anything else is a failure: another exception, an input
 * over the time budget (a hang), a 5xx, heap growth over the bound, or a failed health check after
 * the run (the party no longer serves a valid request).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { toHex } from "@setlab/protocol";
import fc from "fast-check";

export type Verdict = "accepted" | "rejected";

export type FailureKind = "exception" | "hang" | "serverError" | "invariant" | "memory" | "health";

/** Raised by a target for a wrong answer that is not an exception of the code under test. */
export class FuzzFailure extends Error {
  override readonly name = "FuzzFailure";
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface FuzzTarget<I = Uint8Array> {
  readonly name: string;
  readonly family: "decoder" | "http" | "card";
  readonly inputs: fc.Arbitrary<I>;
  /** The run never returns a promise: fast-check runs it synchronously (far less overhead). */
  readonly sync?: boolean;
  /** Run one input; resolve with the verdict or throw (a failure). */
  run(input: I): Verdict | Promise<Verdict>;
  /** The input in a printable form (a hex prefix for bytes, never a secret). */
  show?(input: I): string;
  /** After the run: a valid request still gets its correct answer; throws otherwise. */
  healthCheck?(): Promise<void>;
  /** When the default count is out of reach (a slow target): the count used instead, and why. */
  readonly defaultRuns?: { runs: number; why: string };
}

export interface RunOptions {
  readonly runs: number;
  readonly seed?: number;
  /** Per-input time budget, ms: an input over it is a hang. */
  readonly budgetMs?: number;
  /** Heap growth bound over the run, MB. */
  readonly heapBoundMb?: number;
  /**
   * The live heap to measure growth from, MB: the `heapAfterMb` of a run that ended just before
   * this one, which was measured after a full collection. Without it the run collects first.
   * Targets run one after another take it from the last report: one full collection per target
   * instead of two (in a test worker's large heap each costs tens to hundreds of ms).
   */
  readonly heapBeforeMb?: number;
  /** Stop generating (and shrinking) after this long, ms. */
  readonly timeLimitMs?: number;
  /** Told every `progressEvery` inputs (default 10 000). */
  readonly onProgress?: (tried: number) => void;
  readonly progressEvery?: number;
}

export interface TargetReport {
  readonly target: string;
  readonly family: string;
  readonly tried: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failures: number;
  readonly slowestMs: number;
  /** Wall time of the run, generation and shrinking included. */
  readonly elapsedMs: number;
  readonly heapBeforeMb: number;
  readonly heapAfterMb: number;
  readonly interrupted: boolean;
  readonly failure?: {
    readonly kind: FailureKind;
    readonly message: string;
    readonly seed: number;
    readonly path?: string;
    readonly counterexample?: string;
    /** The shrunk input itself, when it is bytes (for --dump). */
    readonly input?: Uint8Array;
    readonly stack?: string;
  };
}

let gc: (() => void) | undefined;
/** A full collection, so heap figures compare live data, not garbage. */
export function collect(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

/** Live JS heap plus ArrayBuffer backing stores (where decoded bytes live), MB. */
const heapMb = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};

/** The live heap after a full collection, MB. */
const collectedHeapMb = () => {
  collect();
  return heapMb();
};

export const hexPrefix = (b: Uint8Array, n = 48): string =>
  `${toHex(b.subarray(0, n))}${b.length > n ? "..." : ""} (${b.length} bytes)`;

function classify(e: unknown): { kind: FailureKind; message: string; stack?: string } {
  if (e instanceof FuzzFailure) return { kind: e.kind, message: e.message, stack: e.stack };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: "exception", message: `${err.name}: ${err.message}`, stack: err.stack };
}

/** Wait for the run, but no longer than the budget (an input that never settles is a hang). */
function withinBudget<T>(run: () => T | Promise<T>, budgetMs: number): T | Promise<T> {
  const out = run();
  if (!(out instanceof Promise)) return out;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FuzzFailure("hang", `no answer within ${budgetMs} ms`)),
      budgetMs * 5,
    );
  });
  return Promise.race([out, hang]).finally(() => clearTimeout(timer));
}

export async function runTarget<I>(target: FuzzTarget<I>, options: RunOptions): Promise<TargetReport> {
  const budgetMs = options.budgetMs ?? 2000;
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  let tried = 0;
  let accepted = 0;
  let rejected = 0;
  let slowestMs = 0;
  let firstFailure: ReturnType<typeof classify> | undefined;

  const check = (verdict: Verdict, startedAt: number): boolean => {
    const ms = performance.now() - startedAt;
    if (!firstFailure) {
      tried++;
      if (options.onProgress && tried % (options.progressEvery ?? 10_000) === 0) options.onProgress(tried);
      if (verdict === "accepted") accepted++;
      else rejected++;
      slowestMs = Math.max(slowestMs, ms);
    }
    if (ms > budgetMs)
      throw new FuzzFailure("hang", `input took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)`);
    if (verdict !== "accepted" && verdict !== "rejected")
      throw new FuzzFailure("invariant", `target answered ${String(verdict)}`);
    return true;
  };
  const fail = (e: unknown): never => {
    if (!firstFailure) {
      tried++;
      firstFailure = classify(e);
    }
    throw e;
  };

  const heapBeforeMb = options.heapBeforeMb ?? collectedHeapMb();
  const runStarted = performance.now();
  const params: fc.Parameters<[I]> = {
    numRuns: options.runs,
    seed,
    ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs } : {}),
  };
  const sample = target.sync
    ? fc.check(
        fc.property(target.inputs, (input) => {
          const startedAt = performance.now();
          try {
            const verdict = target.run(input);
            if (verdict instanceof Promise)
              throw new FuzzFailure("invariant", "a sync target returned a promise");
            return check(verdict, startedAt);
          } catch (e) {
            return fail(e);
          }
        }),
        params,
      )
    : await fc.check(
        fc.asyncProperty(target.inputs, async (input) => {
          const startedAt = performance.now();
          try {
            return check(await withinBudget(() => target.run(input), budgetMs), startedAt);
          } catch (e) {
            return fail(e);
          }
        }),
        params,
      );
  const elapsedMs = performance.now() - runStarted;
  const heapAfterMb = collectedHeapMb();
  const bound = options.heapBoundMb ?? 64;
  let failure: TargetReport["failure"];
  if (sample.failed && firstFailure) {
    const shrunk = sample.counterexample?.[0];
    failure = {
      ...firstFailure,
      ...classifyShrunk(sample),
      seed,
      path: sample.counterexamplePath ?? undefined,
      counterexample: shrunk === undefined ? undefined : showInput(target, shrunk),
      ...(shrunk instanceof Uint8Array ? { input: shrunk } : {}),
    };
  } else if (heapAfterMb - heapBeforeMb > bound) {
    failure = {
      kind: "memory",
      message: `heap grew ${(heapAfterMb - heapBeforeMb).toFixed(1)} MB over the run (bound ${bound} MB)`,
      seed,
    };
  }
  if (!failure && target.healthCheck) {
    try {
      await target.healthCheck();
    } catch (e) {
      const c = classify(e);
      failure = { kind: "health", message: c.message, seed, stack: c.stack };
    }
  }
  return {
    target: target.name,
    family: target.family,
    tried,
    accepted,
    rejected,
    failures: failure ? 1 : 0,
    slowestMs,
    elapsedMs,
    heapBeforeMb,
    heapAfterMb,
    interrupted: sample.interrupted,
    ...(failure ? { failure } : {}),
  };
}

function showInput<I>(target: FuzzTarget<I>, input: I): string {
  try {
    if (target.show) return target.show(input);
    return input instanceof Uint8Array ? hexPrefix(input) : JSON.stringify(input).slice(0, 200);
  } catch (e) {
    return `(unprintable: ${(e as Error).message})`;
  }
}

/** The shrunk counterexample's own error, when fast-check kept it (it names the smallest case). */
function classifyShrunk(sample: { errorInstance?: unknown }): Partial<ReturnType<typeof classify>> {
  const e = sample.errorInstance;
  return e === undefined ? {} : classify(e);
}
