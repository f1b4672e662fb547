#!/usr/bin/env node
import { type CliIo, processIo, runCli, runMain, UsageError } from "@setlab/runtime";
/**
 * `set-ca <command>`: the lab CA from the command line. `main` is exported so tests (and the lab)
 * run commands in-process; a mistake in the call exits 2, a failure exits 1, each with one line
 * on stderr.
 */
import { init, initUsage } from "./cli/init";
import { bci, bciUsage, crl, crlUsage, issue, issueUsage, revoke, revokeUsage } from "./cli/operations";
import { serve, serveUsage } from "./cli/serve";
import { show, showUsage } from "./cli/show";

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

export function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // The usage is long: an argument error is its one line, which says where the usage is.
  const program = { name: "set-ca", usage, terseUsageErrors: true };
  return runCli(
    program,
    async () => {
      const [name, ...rest] = argv;
      if (name === undefined || name === "help" || name === "--help" || name === "-h") {
        if (name === undefined) throw new UsageError("missing command (set-ca help lists them)");
        io.out(usage());
        return 0;
      }
      const command = commands[name];
      if (!command) throw new UsageError(`unknown command "${name}" (set-ca help lists them)`);
      return await command.run(rest, io);
    },
    io,
  );
}

if (require.main === module) runMain((argv) => main(argv));
