#!/usr/bin/env node
/**
 * `set-ca <command>`: the lab CA from the command line. `main` is exported so tests (and the lab)
 * run commands in-process; a mistake in the call exits 2, a failure exits 1, each with one line
 * on stderr.
 */
import { firstLine } from "./cli/args";
import { init, initUsage } from "./cli/init";
import { type CliIo, processIo } from "./cli/io";
import { bci, bciUsage, crl, crlUsage, issue, issueUsage, revoke, revokeUsage } from "./cli/operations";
import { serve, serveUsage } from "./cli/serve";
import { show, showUsage } from "./cli/show";
import { UsageError } from "./cli/usageError";

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const commands: Record<string, { run: Command; usage: string }> = {
  init: { run: init, usage: initUsage },
  issue: { run: issue, usage: issueUsage },
  revoke: { run: revoke, usage: revokeUsage },
  crl: { run: crl, usage: crlUsage },
  bci: { run: bci, usage: bciUsage },
  show: { run: show, usage: showUsage },
  serve: { run: serve, usage: serveUsage },
};

export function usage(): string {
  return `usage:\n${Object.values(commands)
    .map((c) => `  ${c.usage}\n`)
    .join(
      "",
    )}Commands on DIR take --passphrase P (else $SETLAB_PASSPHRASE, else the lab default "setlab").\n`;
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      if (name === undefined) throw new UsageError("missing command (set-ca help lists them)");
      io.out(usage());
      return 0;
    }
    const command = commands[name];
    if (!command) throw new UsageError(`unknown command "${name}" (set-ca help lists them)`);
    return await command.run(rest, io);
  } catch (e) {
    io.err(`set-ca: ${firstLine(e instanceof Error ? e.message : String(e))}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
