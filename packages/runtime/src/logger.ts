/**
 * Structured JSON logs (pino) for every party, with PANs and secrets redacted twice over: known
 * secret fields are censored by path, and any run of 12-19 digits in a string is masked.
 */
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

const secretKeys = ["pan", "panSecret", "cardSecret", "pin", "privateKey", "pkcs8", "cardExpiry", "expiry"];

/**
 * Keep the first six and last four digits of any PAN-length digit run. A run inside a hex token
 * (an XID, a thumbprint) is left alone: hex identifiers often hold 12 digits in a row, and masking
 * them would break log correlation; a PAN in text stands apart from hex letters.
 */
export function maskDigits(text: string): string {
  return text.replace(
    /(?<![0-9A-Fa-f])\d{12,19}(?![0-9A-Fa-f])/g,
    (d) => `${d.slice(0, 6)}${"*".repeat(d.length - 10)}${d.slice(-4)}`,
  );
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskDigits(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskDigits(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    out[k] = secretKeys.includes(k) ? "[redacted]" : scrub(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  /** `silent` turns logging off; default from SETLAB_LOG_LEVEL, else `info`. */
  readonly level?: string;
  /** Where to write; default stderr (stdout is kept for a process's machine-readable output). */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(party: string, options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: party,
      level: options.level ?? process.env.SETLAB_LOG_LEVEL ?? "info",
      base: { party, pid: process.pid },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === "string" ? maskDigits(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}
