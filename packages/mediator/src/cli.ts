#!/usr/bin/env node
/**
 * `set-mediator purchase` (and `inquire`, ./inquireCli.ts): the PC program of WO 03/105037, started with the shop's initiation
 * object. It relays between the merchant and the card on the phone, prints the outcome (one JSON
 * line with --json) and exits 0 when the purchase ran to a PRes (approved, partiallyApproved, declined or
 * orderReceived), 2 for a refusal, a fault or a mistake in the call, with one line on stderr.
 * Logs (pino, stderr, level SETLAB_LOG_LEVEL, default warn) carry step names, sizes, the XID and
 * outcomes only. Nothing is written to disk.
 *
 * Pairing with the phone (docs/card-link.md): the code comes from --pairing-code, else from the
 * environment variable SETLAB_PAIRING_CODE, else the user types it on stdin when asked (the phone
 * shows it once the mediator has connected). A failed pairing is a refusal: exit 2. With --keyring
 * (or SETLAB_BOND_KEYRING=1) the bond the pairing makes is kept in the Linux kernel keyring, and
 * later runs resume it without asking the code (./keptBonds.ts).
 */
import * as readline from "node:readline";
import { parseArgs } from "node:util";
import { parsePhoneAddress } from "@setlab/protocol/card-link";
import { isPairingCode, type schema } from "@setlab/protocol/relay";
import {
  type CliProgram,
  createDeferredLogger,
  firstLine,
  type CliIo as RuntimeCliIo,
  runCli,
  runMain,
  UsageError,
} from "@setlab/runtime/client";
import type { OrderForBuyer } from "./embodiment2Exchange";
import { loadInitiation } from "./initiation";
import { installRecurTermsOf } from "./installRecurTerms";
import { keptBonds } from "./keptBonds";
import { type Outcome, runPurchase } from "./mediator";

export const usage =
  "usage: set-mediator purchase --initiation URL|FILE --phone HOST:PORT --card ID [--brand BRAND] [--unsigned] [--confirm yes|no] [--installments N | --recurring DAYS:YYYY-MM-DD] [--json] [--run-id ID] [--timeout MS] [--keyring] (PIN from $SETLAB_PIN, pairing code from $SETLAB_PAIRING_CODE or stdin; --pin and --pairing-code also work but are unsafe: command lines are public; --keyring or SETLAB_BOND_KEYRING=1 keeps the card-link bond in the Linux keyring, so later runs resume without the code); set-mediator inquire (--merchant URL | --initiation URL|FILE) --phone HOST:PORT --card ID [--xid HEX] [--json] [--run-id ID] [--timeout MS] [--keyring] (PIN from $SETLAB_PIN); set-mediator native-host --phone HOST:PORT --allowed-origin chrome-extension://ID/ [--cards ID,ID] ORIGIN (run by the browser)\n";

export interface CliIo extends RuntimeCliIo {
  /** Ask the user for one line (the pairing code); undefined when nobody can answer. */
  ask?(question: string): Promise<string | undefined>;
}

/** One line from stdin after a prompt on stderr (stdout carries the outcome). */
function askStdin(question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    process.stderr.write(question);
    rl.once("line", (line) => {
      answered = true;
      rl.close();
      resolve(line.trim());
    });
    rl.once("close", () => {
      if (!answered) resolve(undefined);
    });
  });
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  ask: askStdin,
};

export const pairingPrompt = "pairing code shown on the phone: ";

/** The pairing code: the flag, else SETLAB_PAIRING_CODE, else asked when the phone shows it. */
export function pairingCodeSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): string | (() => Promise<string>) {
  if (flag !== undefined) {
    if (!isPairingCode(flag)) throw new UsageError("--pairing-code must be 6 digits");
    return flag;
  }
  const fromEnv = env.SETLAB_PAIRING_CODE;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!isPairingCode(fromEnv)) throw new UsageError("SETLAB_PAIRING_CODE must be 6 digits");
    return fromEnv;
  }
  return async () => {
    const answer = await io.ask?.(pairingPrompt);
    if (answer === undefined)
      throw new Error("no pairing code given (--pairing-code, SETLAB_PAIRING_CODE or stdin)");
    if (!isPairingCode(answer)) throw new Error("the pairing code must be 6 digits");
    return answer;
  };
}

const ran = new Set(["approved", "partiallyApproved", "declined", "orderReceived"]);

/** The human summary of an outcome. */
export function summary(o: Outcome): string {
  const lines = [`${o.outcome}${o.reason ? `: ${o.reason}` : ""}`];
  if (o.xid) lines.push(`  XID             ${o.xid}`);
  if (o.brand) lines.push(`  brand           ${o.brand}`);
  if (o.merchant?.name || o.merchant?.merID)
    lines.push(`  merchant        ${[o.merchant.name, o.merchant.merID].filter(Boolean).join(" / ")}`);
  if (o.completionCode) lines.push(`  completion code ${o.completionCode}`);
  const amount = o.amount as { currency?: number; amount?: number; amtExp10?: number } | undefined;
  if (amount && typeof amount.amount === "number")
    lines.push(
      `  amount          ${amount.amount}${amount.amtExp10 ? `e${amount.amtExp10}` : ""} (currency ${amount.currency})`,
    );
  for (const s of o.steps)
    lines.push(
      `  ${s.step.padEnd(8)} ${s.from} -> ${s.to}: ${s.message}${s.bytes !== undefined ? ` (${s.bytes} B)` : ""}${s.detail ? ` ${s.detail}` : ""}`,
    );
  return `${lines.join("\n")}\n`;
}

/** Every failure exits 2, as a refusal does: the caller tells them apart by the line on stderr. */
const program: CliProgram = { name: "set-mediator", usage, failureCode: 2 };

export function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli(program, () => purchaseCommand(argv, io), io);
}

async function purchaseCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") {
    io.out(usage);
    return 0;
  }
  if (command === "native-host") {
    const { nativeHostCommand } = await import("./nativeHostCli");
    return nativeHostCommand(rest, process.env);
  }
  if (command === "inquire") {
    const { inquireCommand } = await import("./inquireCli");
    return inquireCommand(rest, io, pairingCodeSource);
  }
  if (command !== "purchase")
    throw new UsageError(command === undefined ? "missing command" : `unknown command "${command}"`);
  // parseArgs refusing a flag is an argument error for the runner (exit 2 with the usage).
  const values: Record<string, string | boolean | undefined> = parseArgs({
    args: [...rest],
    strict: true,
    allowPositionals: false,
    options: {
      initiation: { type: "string" },
      phone: { type: "string" },
      card: { type: "string" },
      pin: { type: "string" },
      brand: { type: "string" },
      unsigned: { type: "boolean" },
      json: { type: "boolean" },
      "run-id": { type: "string" },
      timeout: { type: "string" },
      "pairing-code": { type: "string" },
      confirm: { type: "string" },
      installments: { type: "string" },
      recurring: { type: "string" },
      keyring: { type: "boolean" },
    },
  }).values;
  for (const name of ["initiation", "phone", "card"])
    if (typeof values[name] !== "string" || values[name] === "")
      throw new UsageError(`--${name} is required`);
  let phone: { host: string; port: number };
  try {
    phone = parsePhoneAddress(values.phone as string);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const pairingCode = pairingCodeSource(values["pairing-code"] as string | undefined, process.env, io);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000)
      throw new UsageError("--timeout must be milliseconds from 1 to 600000");
  }
  // The PIN leaves the argument list at once: a buffer the mediator overwrites after VERIFY_PIN.
  let pin: Uint8Array | undefined;
  if (typeof values.pin !== "string" && process.env.SETLAB_PIN) {
    // From a parent that must not put the PIN on a command line (`set-lab purchase --separate-mediator`).
    pin = new Uint8Array(Buffer.from(process.env.SETLAB_PIN, "latin1"));
    delete process.env.SETLAB_PIN;
  }
  if (typeof values.pin === "string") {
    pin = new Uint8Array(Buffer.from(values.pin, "latin1"));
    values.pin = undefined;
    for (let i = 0; i < process.argv.length; i++)
      if (process.argv[i - 1] === "--pin") process.argv[i] = "****";
      else if (process.argv[i].startsWith("--pin=")) process.argv[i] = "--pin=****";
  }
  let installRecurData: schema.InstallRecurData | undefined;
  try {
    installRecurData = installRecurTermsOf(
      values.installments as string | undefined,
      values.recurring as string | undefined,
    );
  } catch (e) {
    pin?.fill(0);
    throw new UsageError((e as Error).message);
  }
  const runId = (values["run-id"] as string | undefined) ?? process.env.SETLAB_RUN_ID;
  const logger = createDeferredLogger("mediator", { level: process.env.SETLAB_LOG_LEVEL ?? "warn" });
  const bonds = keptBonds(values.keyring as boolean | undefined, process.env, logger, phone);
  let initiation: Awaited<ReturnType<typeof loadInitiation>>;
  try {
    initiation = await loadInitiation(values.initiation as string, { timeoutMs, runId });
  } catch (e) {
    pin?.fill(0);
    throw e;
  }
  logger.info(
    { lidM: initiation.lidM, brands: initiation.brands, profile: initiation.profile },
    "initiation",
  );
  // The patent's second embodiment: the order the card marks non-forward is printed here and the
  // buyer answers; `--confirm yes|no` answers for a test or a script.
  const given = values.confirm as string | undefined;
  if (given !== undefined && given !== "yes" && given !== "no")
    throw new UsageError("--confirm takes yes or no");
  const confirmOrder = async (order: OrderForBuyer): Promise<boolean> => {
    io.err(`order from ${order.merchantName}: ${order.description}, ${order.amount}\n`);
    const answer = given ?? (await io.ask?.("confirm this order? [yes/no] "));
    return answer === "yes";
  };
  const outcome = await runPurchase({
    confirmOrder,
    initiation,
    card: {
      host: phone.host,
      port: phone.port,
      cardId: values.card as string,
      pin,
      pairingCode,
      bonds,
    },
    brand: values.brand as string | undefined,
    form: values.unsigned ? "unsigned" : "dualSigned",
    ...(installRecurData ? { installRecurData } : {}),
    runId,
    logger,
    timeouts:
      timeoutMs === undefined ? undefined : { httpMs: timeoutMs, cardMs: timeoutMs, connectMs: timeoutMs },
  });
  if (values.json) io.out(`${JSON.stringify(outcome)}\n`);
  else io.out(summary(outcome));
  if (ran.has(outcome.outcome)) return 0;
  io.err(`set-mediator: ${outcome.outcome}: ${firstLine(outcome.reason ?? "no reason given")}\n`);
  return 2;
}

if (require.main === module) runMain((argv) => main(argv));
