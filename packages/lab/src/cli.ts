#!/usr/bin/env node
/** `setlab <command>`: the lab's entry point. */
import { runDemo } from "./demo";
import { consoleTrace } from "./trace";

const usage = "usage: setlab demo";

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === "demo") {
    const started = Date.now();
    await runDemo(consoleTrace());
    process.stdout.write(
      `\nDemo complete: dual-signed PReq built, verified by merchant and gateway (${Date.now() - started} ms).\n`,
    );
    return 0;
  }
  process.stderr.write(`${command ? `unknown command: ${command}\n` : ""}${usage}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`setlab: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
