/**
 * Structured JSON logs (pino) for every party, with PANs and secrets redacted twice over: known
 * secret fields are censored by name at any depth, and any run of 12-19 digits in any string is
 * masked. Redaction runs on every argument of every log call (merging object, message, format
 * arguments) and on child-logger bindings, before pino serializes anything.
 *
 * It has to be cheap: it runs on the servers' hot path. Strings are pre-scanned for a run of 12
 * digits before the regex runs, and objects are copied only where something was redacted.
 */
import type { DestinationStream, Logger } from "pino";

export type { Logger } from "pino";

/** Field names whose value is never logged, compared without regard to case. */
const secretKeys = new Set(
  [
    "pan",
    "panSecret",
    "cardSecret",
    "pin",
    "privateKey",
    "pkcs8",
    "cardExpiry",
    "expiry",
    "linkKey",
    "passphrase",
    "password",
  ].map((k) => k.toLowerCase()),
);
const longestSecretKey = Math.max(...[...secretKeys].map((k) => k.length));

const REDACTED = "[redacted]";
/** Deeper than this, a value is replaced rather than walked: nothing unwalked reaches the log. */
const maxDepth = 16;
const panRun = 12;

function isSecretKey(key: string): boolean {
  return key.length <= longestSecretKey && secretKeys.has(key.toLowerCase());
}

/**
 * Whether `text` holds a run of at least 12 ASCII digits (what `\d` matches). Most log strings
 * hold none; this loop answers without the regex engine. It looks at every 12th character and
 * only counts back and forward around a digit, so it reads a fraction of a long string.
 */
export function hasPanLengthDigitRun(text: string): boolean {
  const n = text.length;
  for (let i = panRun - 1; i < n; i += panRun) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    // Any run of 12 covering a window of 12 positions contains position i: count around it.
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= panRun) return true;
    // `end` is not a digit: a run after it covers end + 12 at the latest, the next look.
    i = end;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Keep the first six and last four digits of any PAN-length digit run. A run inside a hex token
 * (an XID, a thumbprint) is left alone: hex identifiers often hold 12 digits in a row, and masking
 * them would break log correlation; a PAN in text stands apart from hex letters.
 */
export function maskDigits(text: string): string {
  if (!hasPanLengthDigitRun(text)) return text;
  return text.replace(
    /(?<![0-9A-Fa-f])\d{12,19}(?![0-9A-Fa-f])/g,
    (d) => `${d.slice(0, 6)}${"*".repeat(d.length - 10)}${d.slice(-4)}`,
  );
}

/**
 * What an Error becomes in a log: its name, its SET ErrorCode or system code if it has one, and
 * its message and stack masked. Other own fields are dropped (they may hold anything).
 */
function errorView(e: Error): Record<string, unknown> {
  const view: Record<string, unknown> = { type: e.name, message: maskDigits(e.message) };
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") view.code = code;
  if (typeof e.stack === "string") view.stack = maskDigits(e.stack);
  return view;
}

/** The request and reply fastify logs under `req` and `res`: only what an operator reads. */
const httpViews: Record<string, (v: Record<string, unknown>) => unknown> = {
  req: (r) => ({ method: r.method, url: r.url }),
  res: (r) => ({ statusCode: r.statusCode }),
};

/**
 * `value` with every secret field censored and every string masked; the same object when there
 * was nothing to change, so the common log line allocates nothing here. `ancestors` holds the
 * objects being walked, to cut cycles (pino would print them as "[Circular]" anyway).
 */
export function scrub(value: unknown, depth = 0, ancestors: object[] = []): unknown {
  if (typeof value === "string") return maskDigits(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= maxDepth) return "[too deep]";
  if (ancestors.includes(value)) return "[Circular]";
  if (value instanceof Error) return errorView(value);
  // Bytes serialize as numbers, never as text that could read as a PAN.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        const s = scrub(v, depth + 1, ancestors);
        if (s !== v) {
          out ??= value.slice();
          out[i] = s;
        }
      }
      return out ?? value;
    }
    // What JSON.stringify would print for a Date, a URL, a Decimal...: that is what gets scrubbed.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return scrub(toJSON.call(value), depth + 1, ancestors);
    const record = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(record)) {
      const v = record[k];
      const s = isSecretKey(k) ? REDACTED : scrub(v, depth + 1, ancestors);
      if (s !== v) {
        out ??= { ...record };
        out[k] = s;
      }
    }
    return out ?? value;
  } finally {
    ancestors.pop();
  }
}

/** The merging object of a log call: fastify's request and reply reduced to a view first. */
function scrubMergingObject(obj: Record<string, unknown>): Record<string, unknown> {
  let source = obj;
  for (const key of ["req", "res"] as const) {
    const v = obj[key];
    if (v !== null && typeof v === "object") {
      if (source === obj) source = { ...obj };
      source[key] = httpViews[key]?.(v as Record<string, unknown>);
    }
  }
  return scrub(source) as Record<string, unknown>;
}

/**
 * The arguments of one log call, redacted. An Error passed first becomes `{ err: view }` with
 * its masked message as the line's message, as pino itself would print it, unmasked.
 */
function scrubArgs(args: unknown[]): unknown[] {
  const out = args.slice();
  let from = 0;
  const first = out[0];
  if (first instanceof Error) {
    out[0] = { err: errorView(first) };
    if (out.length === 1) out.push(maskDigits(first.message));
    from = 1;
  } else if (first !== null && typeof first === "object") {
    out[0] = scrubMergingObject(first as Record<string, unknown>);
    from = 1;
  }
  for (let i = from; i < out.length; i++) out[i] = scrub(out[i]);
  return out;
}

export interface LoggerOptions {
  /** `silent` turns logging off; default from SETLAB_LOG_LEVEL, else `info`. */
  readonly level?: string;
  /**
   * Where to write; default stderr (stdout is kept for a process's machine-readable output),
   * written synchronously.
   */
  readonly destination?: NodeJS.WritableStream;
}

const identity = (v: unknown) => v;

export function createLogger(party: string, options: LoggerOptions = {}): Logger {
  // Loaded here rather than at the top: a command that imports the runtime's client entry and
  // never logs (deferredLogger.ts) does not load pino's 30 modules.
  const pino: typeof import("pino") = require("pino");
  const logger = pino(
    {
      name: party,
      level: options.level ?? process.env.SETLAB_LOG_LEVEL ?? "info",
      base: { party, pid: process.pid },
      // Redaction already turned errors, requests and replies into plain views; pino's and
      // fastify's serializers would read them as the originals and print the wrong thing.
      serializers: { err: identity, req: identity, res: identity },
      hooks: {
        logMethod(args, method) {
          let clean: unknown[];
          try {
            clean = scrubArgs(args);
          } catch {
            // A getter that throws, say: the line goes out without its fields rather than the
            // log call throwing into the request that made it.
            const msg = args.find((a): a is string => typeof a === "string");
            clean = [{ unloggable: true }, msg === undefined ? "unloggable log call" : maskDigits(msg)];
          }
          method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    (options.destination ?? process.stderr) as DestinationStream,
  );
  // pino applies no formatter to a child's bindings; every child inherits this method.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, scrub(bindings) as typeof bindings, childOptions);
  } as typeof child;
  return logger;
}
