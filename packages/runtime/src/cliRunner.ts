/**
 * The one way every SET Lab command-line program ends: a mistake in the call prints the error and
 * the usage and exits 2; any other failure (a SetError, an unreadable PKI, a port in use) prints
 * one clear line and exits 1, or the program's documented code. Only the first line of a message
 * is printed, never a stack trace: the reader is an operator, not a debugger.
 */
import { tuneV8 } from "@setlab/protocol/v8-tuning";
import { type CliIo, processIo } from "./cliIo";

/** A mistake in how the program was called: exit 2, with the usage. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

export interface CliProgram {
  /** The program's name, the prefix of every error line (`set-gateway`). */
  readonly name: string;
  /** The usage text. One line is appended to the error line; several follow it. */
  readonly usage: string | (() => string);
  /** Print an argument error alone, without the usage (a long usage; the message says where help is). */
  readonly terseUsageErrors?: boolean;
  /** The exit code of a failure that is not the call's fault; default 1. */
  readonly failureCode?: number;
  /** A code for particular failures, where the program documents one (undefined: the default). */
  readonly exitCodeOf?: (e: unknown) => number | undefined;
}

export const firstLine = (text: string): string => text.split("\n")[0].trim();

/** The message of anything thrown; by shape, since errors from another realm fail `instanceof Error`. */
const messageOf = (e: unknown): string =>
  typeof (e as { message?: unknown } | null)?.message === "string" ? (e as Error).message : String(e);

/** A UsageError, or node:util parseArgs refusing the arguments (ERR_PARSE_ARGS_*). */
export function isArgumentError(e: unknown): boolean {
  if (e instanceof UsageError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

/** Report `e` on `io.err` the program's way and give its exit code. */
export function reportFailure(program: CliProgram, e: unknown, io: CliIo = processIo): number {
  const message = firstLine(messageOf(e));
  if (isArgumentError(e)) {
    const usage = (typeof program.usage === "function" ? program.usage() : program.usage).trim();
    if (program.terseUsageErrors || usage === "") io.err(`${program.name}: ${message}\n`);
    else if (!usage.includes("\n")) io.err(`${program.name}: ${message} (${usage})\n`);
    else io.err(`${program.name}: ${message}\n${usage}\n`);
    return 2;
  }
  io.err(`${program.name}: ${message}\n`);
  return program.exitCodeOf?.(e) ?? program.failureCode ?? 1;
}

/** Run a program's body; whatever it throws is reported by `reportFailure`. */
export async function runCli(
  program: CliProgram,
  body: () => Promise<number> | number,
  io: CliIo = processIo,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    return reportFailure(program, e, io);
  }
}

export interface MainOptions {
  /**
   * End the process with the code even when it is 0 (a one-shot program whose helpers may leave
   * handles open). Otherwise a 0 lets a server keep running and a finished command end by itself.
   */
  readonly exitWhenDone?: boolean;
}

/**
 * The entry point of a program's main file: `if (require.main === module) runMain(main)`. The
 * process runs with the project's V8 settings (`tuneV8`, @setlab/protocol/v8-tuning).
 */
export function runMain(main: (argv: string[]) => Promise<number>, options: MainOptions = {}): void {
  tuneV8();
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0 || options.exitWhenDone) process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`${firstLine(messageOf(e))}\n`);
      process.exit(1);
    },
  );
}
