#!/usr/bin/env node
/**
 * `node packages/lab/dist/bench/profile.js DIR [name=PID ...] [--top N] [--json]`: the top
 * self-time functions and modules of every `.cpuprofile` in DIR (as `node --cpu-prof
 * --cpu-prof-dir=DIR` writes them), each process named by its pid.
 */
import { parseArgs } from "node:util";
import { summarizeProfileDir } from "./profileFiles";
import { formatProfileSummary } from "./profileSummary";

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { top: { type: "string", default: "10" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [dir, ...pairs] = positionals;
  const top = Number(values.top);
  if (!dir || !Number.isInteger(top) || top <= 0) {
    process.stderr.write("usage: profile DIR [name=PID ...] [--top N] [--json]\n");
    return 2;
  }
  const names = new Map<number, string>();
  for (const p of pairs) {
    const m = /^([^=]+)=(\d+)$/.exec(p);
    if (!m) {
      process.stderr.write(`not name=PID: ${p}\n`);
      return 2;
    }
    names.set(Number(m[2]), m[1]);
  }
  const found = summarizeProfileDir(dir, names, top);
  if (values.json) process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
  else for (const p of found) process.stdout.write(`${formatProfileSummary(p.party, p.summary)}\n`);
  return found.length > 0 ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
