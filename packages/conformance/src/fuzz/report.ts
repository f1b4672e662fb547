/** The fuzz report: one fixed-width row per target, and the details of a failure. */
import type { TargetReport } from "./harness";

const cols = [
  ["target", 40],
  ["tried", 9],
  ["rejected", 9],
  ["failures", 8],
  ["slowest ms", 10],
  ["inputs/s", 9],
  ["memory MB before/after", 22],
] as const;

const row = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(cols[i][1]) : c.padStart(cols[i][1]))).join(" ");

export const header = () => row(cols.map(([name]) => name));

export function formatRow(r: TargetReport): string {
  return (
    row([
      r.target,
      String(r.tried),
      String(r.rejected),
      String(r.failures),
      r.slowestMs.toFixed(1),
      (r.tried / Math.max(r.elapsedMs / 1000, 0.001)).toFixed(0),
      `${r.heapBeforeMb.toFixed(0)}/${r.heapAfterMb.toFixed(0)}`,
    ]) + (r.interrupted ? "  (interrupted by the time limit)" : "")
  );
}

export function formatReport(r: TargetReport): string {
  const f = r.failure;
  if (!f) return `${r.target}: no failure`;
  const lines = [
    `FAILURE in ${r.target}: ${f.kind}: ${f.message}`,
    `  seed ${f.seed}${f.path ? ` path ${f.path}` : ""}   (replay: pnpm fuzz --target '${r.target}' --seed ${f.seed})`,
  ];
  if (f.counterexample) lines.push(`  shrunk input: ${f.counterexample}`);
  if (f.stack) {
    // The first frames, then the project's own ones: the caller of a throwing library matters.
    const frames = f.stack.split("\n").slice(1);
    const own = frames.filter((l) => !l.includes("node_modules") && !l.includes("/fuzz/"));
    for (const l of new Set([...frames.slice(0, 3), ...own.slice(0, 6)])) lines.push(`  ${l.trim()}`);
  }
  return lines.join("\n");
}
