#!/usr/bin/env node
/**
 * `set-phone <command>`: the phone that hosts the IC cards, and its card-link bonds. A mistake in
 * the call exits 2, a failure exits 1, each with one line on stderr.
 */
import { parseArgs } from "node:util";
import { isPairingCode } from "@setlab/protocol";
import {
  type CliIo,
  type CliProgram,
  LabPki,
  processIo,
  readOwnerOnlyFile,
  runCli,
  runMain,
  UsageError,
} from "@setlab/runtime";
import { listBonds, revokeBonds } from "./phone/bondStore";
import { requestPairingReopen } from "./phone/pairingReopen";
import { personalize } from "./phone/personalize";
import { type ConfirmMode, servePhone } from "./phone/serve";

export const usage = `usage:
  set-phone personalize --pki DIR --data DIR [--cards id,id]      (PIN: $SETLAB_PIN, default 1234)
  set-phone serve --data DIR [--port 0] [--host 127.0.0.1] [--confirm auto|deny|prompt]
                  [--confirm-after-ms N]
                  [--pairing-code-file FILE] [--pairing-lockout MS] [--max-bonds N] [--bond-lifetime DAYS]
                  [--max-connections N] [--frame-timeout MS] [--idle-timeout MS]
  set-phone bonds --data DIR
  set-phone unbond --data DIR (--all | BOND_ID)
  set-phone pair --data DIR      (the owner reopens pairing: ends a wrong-code lockout)
--pin PIN and --pairing-code DIGITS also work but are unsafe: every local user can read a command line.
`;

const program: CliProgram = { name: "set-phone", usage };

/** String options only; parseArgs refusing one is an argument error for the runner. */
function args(argv: readonly string[], options: Record<string, { type: "string" }>) {
  return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<
    string,
    string | undefined
  >;
}

/** An integer option within [min, max], or undefined when absent. */
function integer(values: Record<string, string | undefined>, name: string, min: number, max: number) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function required(values: Record<string, string | undefined>, name: string): string {
  const v = values[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

async function personalizeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const v = args(argv, {
    pki: { type: "string" },
    data: { type: "string" },
    cards: { type: "string" },
    pin: { type: "string" },
  });
  const pkiDir = required(v, "pki");
  const dataDir = required(v, "data");
  // The PIN is a secret: from the environment (readable by this user only), not the command line.
  const pin = v.pin ?? (process.env.SETLAB_PIN || undefined);
  if (pin !== undefined && !/^[0-9]{4,12}$/.test(pin))
    throw new UsageError(`${v.pin === undefined ? "SETLAB_PIN" : "--pin"} must be 4 to 12 digits`);
  const cards = v.cards
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const done = await personalize(LabPki.open(pkiDir), dataDir, { cards, pin });
  io.out(`${JSON.stringify({ event: "personalized", data: dataDir, cards: done })}\n`);
  return 0;
}

async function serveCommand(argv: readonly string[]): Promise<number> {
  const v = args(argv, {
    data: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    confirm: { type: "string" },
    "confirm-after-ms": { type: "string" },
    "pairing-code": { type: "string" },
    "pairing-code-file": { type: "string" },
    "pairing-lockout": { type: "string" },
    "max-bonds": { type: "string" },
    "bond-lifetime": { type: "string" },
    "max-connections": { type: "string" },
    "frame-timeout": { type: "string" },
    "idle-timeout": { type: "string" },
  });
  const dataDir = required(v, "data");
  if (v["pairing-code"] !== undefined && v["pairing-code-file"] !== undefined)
    throw new UsageError("give --pairing-code-file or --pairing-code, not both");
  const codeFile = v["pairing-code-file"];
  const code = v["pairing-code"];
  if (code !== undefined && !isPairingCode(code)) throw new UsageError("--pairing-code must be 6 digits");
  // Checked here for the exit code (an unsafe file is a failure, a wrong content a mistake); the
  // phone keeps reading the file, which it renews after a wrong code (pairingCodeFile.ts).
  if (codeFile !== undefined && !isPairingCode(readOwnerOnlyFile(codeFile, "pairing code")))
    throw new UsageError(`${codeFile} must hold 6 digits`);
  const lockoutMs = v["pairing-lockout"] === undefined ? undefined : Number(v["pairing-lockout"]);
  if (lockoutMs !== undefined && (!Number.isSafeInteger(lockoutMs) || lockoutMs < 0 || lockoutMs > 3_600_000))
    throw new UsageError("--pairing-lockout must be milliseconds from 0 to 3600000");
  const port = v.port === undefined ? 0 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be 0..65535");
  const confirm = (v.confirm ?? "prompt") as ConfirmMode;
  if (!["auto", "deny", "prompt"].includes(confirm))
    throw new UsageError("--confirm must be auto, deny or prompt");
  const confirmAfterMs = integer(v, "confirm-after-ms", 0, 60_000);
  if (confirmAfterMs !== undefined && confirm === "prompt")
    throw new UsageError("--confirm-after-ms goes with --confirm auto or deny");
  const maxBonds = integer(v, "max-bonds", 0, 1000);
  const days = integer(v, "bond-lifetime", 1, 3650);
  const server = await servePhone({
    dataDir,
    host: v.host,
    port,
    confirm,
    ...(confirmAfterMs === undefined ? {} : { confirmAfterMs }),
    pairing: { ...(code === undefined ? {} : { code }), lockoutMs },
    ...(codeFile === undefined ? {} : { pairingCodeFile: codeFile }),
    limits: {
      maxConnections: integer(v, "max-connections", 1, 10_000),
      frameTimeoutMs: integer(v, "frame-timeout", 1, 3_600_000),
      idleTimeoutMs: integer(v, "idle-timeout", 1, 3_600_000),
    },
    bonding: { maxBonds, lifetimeMs: days === undefined ? undefined : days * 24 * 3600 * 1000 },
  });
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return new Promise<number>(() => undefined);
}

/** `bonds`: one JSON line per bond, oldest first (clear headers only: no passphrase needed). */
function bondsCommand(argv: readonly string[], io: CliIo): number {
  const dataDir = required(args(argv, { data: { type: "string" } }), "data");
  for (const b of listBonds(dataDir))
    io.out(`${JSON.stringify({ bond: b.bondId, ...b, bondId: undefined })}\n`);
  return 0;
}

/**
 * `pair`: the owner reopens pairing on the running phone (only the phone's user can write its
 * data directory). Taken at the next HELLO: the wrong-code lockout ends.
 */
function pairCommand(argv: readonly string[], io: CliIo): number {
  const dataDir = required(args(argv, { data: { type: "string" } }), "data");
  requestPairingReopen(dataDir);
  io.out(`${JSON.stringify({ event: "pairing-reopen-requested", data: dataDir })}\n`);
  return 0;
}

/** `unbond`: revoke one bond or all of them; a revoked bond never resumes again. */
function unbondCommand(argv: readonly string[], io: CliIo): number {
  const parsed = parseArgs({
    args: [...argv],
    options: { data: { type: "string" }, all: { type: "boolean" } },
    strict: true,
    allowPositionals: true,
  });
  const dataDir = required(parsed.values as Record<string, string | undefined>, "data");
  const all = parsed.values.all === true;
  const ids = parsed.positionals;
  if (all === ids.length > 0 || ids.length > 1)
    throw new UsageError("give either --all or one BOND_ID (see set-phone bonds)");
  const removed = revokeBonds(dataDir, all ? "all" : ids[0]);
  io.out(`${JSON.stringify({ event: "unbonded", bonds: removed })}\n`);
  return 0;
}

export function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli(
    program,
    async () => {
      const [name, ...rest] = argv;
      if (name === "help" || name === "--help" || name === "-h") {
        io.out(usage);
        return 0;
      }
      if (name === "personalize") return await personalizeCommand(rest, io);
      if (name === "serve") return await serveCommand(rest);
      if (name === "bonds") return bondsCommand(rest, io);
      if (name === "unbond") return unbondCommand(rest, io);
      if (name === "pair") return pairCommand(rest, io);
      throw new UsageError(name === undefined ? "missing command" : `unknown command "${name}"`);
    },
    io,
  );
}

if (require.main === module) runMain((argv) => main(argv));
