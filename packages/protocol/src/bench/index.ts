/**
 * `node packages/protocol/dist/bench/index.js [--json]`: the protocol benchmark alone (the full
 * `pnpm bench` runs it too). BENCH_SECONDS (or BENCH_MICRO_SECONDS) sets the time per figure,
 * default 2; --json prints the figures as one JSON object instead of the table.
 */
import { tuneV8 } from "../v8Tuning";
import { formatProtocolBench, runProtocolBench } from "./protocolBench";

async function main() {
  tuneV8(); // as every party process runs (runMain)
  const seconds = Number(process.env.BENCH_MICRO_SECONDS || process.env.BENCH_SECONDS || 2);
  if (!(seconds > 0)) throw new Error("BENCH_SECONDS must be a positive number");
  const result = await runProtocolBench(seconds);
  process.stdout.write(
    process.argv.includes("--json") ? `${JSON.stringify(result)}\n` : formatProtocolBench(result),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
