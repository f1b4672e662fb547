/**
 * `set-mediator inquire`: ask the shop how a purchase ended (InqReq/InqRes, ./inquiry.ts). The
 * shop's SET URL comes from `--merchant URL` or from the purchase's initiation object
 * (`--initiation URL|FILE`); the purchase is the card's last one unless `--xid HEX` names another
 * it remembers. Prints the outcome the card verified (one JSON line with --json) and exits 0 when
 * the merchant answered with a status, 2 otherwise. The PIN comes from SETLAB_PIN only: a command
 * line is public. Nothing is written to disk.
 */
import { parseArgs } from "node:util";
import { parsePhoneAddress } from "@setlab/protocol/card-link";
import { createDeferredLogger, firstLine, UsageError } from "@setlab/runtime/client";
import type { CliIo } from "./cli";
import { loadInitiation } from "./initiation";
import { runInquiry } from "./inquiry";
import { keptBonds } from "./keptBonds";
import type { Outcome } from "./outcome";

type PairingCodeSource = (
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  io: CliIo,
) => string | (() => Promise<string>);

const answered = new Set(["approved", "partiallyApproved", "declined", "orderReceived"]);

function summary(o: Outcome): string {
  const lines = [`${o.outcome}${o.reason ? `: ${o.reason}` : ""}`];
  if (o.xid) lines.push(`  XID             ${o.xid}`);
  if (o.completionCode) lines.push(`  completion code ${o.completionCode}`);
  for (const s of o.steps)
    lines.push(`  ${s.step.padEnd(8)} ${s.from} -> ${s.to}: ${s.message}${s.detail ? ` ${s.detail}` : ""}`);
  return `${lines.join("\n")}\n`;
}

export async function inquireCommand(
  argv: readonly string[],
  io: CliIo,
  pairingCodeSource: PairingCodeSource,
): Promise<number> {
  const values: Record<string, string | boolean | undefined> = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      merchant: { type: "string" },
      initiation: { type: "string" },
      phone: { type: "string" },
      card: { type: "string" },
      xid: { type: "string" },
      json: { type: "boolean" },
      "run-id": { type: "string" },
      timeout: { type: "string" },
      "pairing-code": { type: "string" },
      keyring: { type: "boolean" },
    },
  }).values;
  for (const name of ["phone", "card"])
    if (typeof values[name] !== "string" || values[name] === "")
      throw new UsageError(`--${name} is required`);
  if ((values.merchant === undefined) === (values.initiation === undefined))
    throw new UsageError("give one of --merchant and --initiation");
  const xidText = values.xid as string | undefined;
  if (xidText !== undefined && !/^[0-9a-fA-F]{40}$/.test(xidText))
    throw new UsageError("--xid must be 40 hex digits");
  let phone: { host: string; port: number };
  try {
    phone = parsePhoneAddress(values.phone as string);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000)
      throw new UsageError("--timeout must be milliseconds from 1 to 600000");
  }
  const pairingCode = pairingCodeSource(values["pairing-code"] as string | undefined, process.env, io);
  const runId = (values["run-id"] as string | undefined) ?? process.env.SETLAB_RUN_ID;
  const logger = createDeferredLogger("mediator", { level: process.env.SETLAB_LOG_LEVEL ?? "warn" });
  const bonds = keptBonds(values.keyring as boolean | undefined, process.env, logger, phone);
  const setUrl =
    (values.merchant as string | undefined) ??
    (await loadInitiation(values.initiation as string, { timeoutMs, runId })).setUrl;
  let pin: Uint8Array | undefined;
  if (process.env.SETLAB_PIN) {
    pin = new Uint8Array(Buffer.from(process.env.SETLAB_PIN, "latin1"));
    delete process.env.SETLAB_PIN;
  }
  const outcome = await runInquiry({
    setUrl,
    card: { host: phone.host, port: phone.port, cardId: values.card as string, pin, pairingCode, bonds },
    ...(xidText ? { xid: new Uint8Array(Buffer.from(xidText, "hex")) } : {}),
    runId,
    logger,
    timeouts:
      timeoutMs === undefined ? undefined : { httpMs: timeoutMs, cardMs: timeoutMs, connectMs: timeoutMs },
  });
  io.out(values.json ? `${JSON.stringify(outcome)}\n` : summary(outcome));
  if (answered.has(outcome.outcome)) return 0;
  io.err(`set-mediator: ${outcome.outcome}: ${firstLine(outcome.reason ?? "no reason given")}\n`);
  return 2;
}
