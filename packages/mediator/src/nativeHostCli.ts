/**
 * `set-mediator native-host`: what the browser runs when the SET extension calls
 * `connectNative("org.setlab.mediator")`. Chromium starts the program the host manifest names,
 * with the calling extension's origin as its argument, and speaks native messaging on stdin and
 * stdout (./nativeMessaging.ts); stdout therefore carries nothing else, and logs go to stderr.
 *
 *   set-mediator native-host --phone HOST:PORT --allowed-origin chrome-extension://ID/ [--cards a,b] ORIGIN
 *
 * The pairing code comes from SETLAB_PAIRING_CODE (set by the host's wrapper script, never on a
 * command line, which every local user can read); without it the phone refuses an unbonded PC.
 */
import { parseArgs } from "node:util";
import { parsePhoneAddress } from "@setlab/protocol/card-link";
import { isPairingCode } from "@setlab/protocol/relay";
import { createDeferredLogger, UsageError } from "@setlab/runtime/client";
import { keptBonds } from "./keptBonds";
import { type HostChannel, runNativeHost } from "./nativeHost";
import { encodeNativeMessage, NativeMessageReader } from "./nativeMessaging";

/** Native messaging over this process's stdin and stdout. */
export function stdioChannel(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): HostChannel {
  const reader = new NativeMessageReader();
  const queue: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown> | undefined) => void)[] = [];
  let closed = false;
  const close = () => {
    closed = true;
    for (const w of waiting.splice(0)) w(undefined);
  };
  input.on("data", (chunk: Buffer) => {
    if (closed) return;
    try {
      for (const m of reader.push(chunk)) {
        const w = waiting.shift();
        if (w) w(m);
        else queue.push(m);
      }
    } catch {
      // A stream that broke the framing cannot be read further: treat it as closed.
      close();
    }
  });
  input.on("end", close);
  input.on("error", close);
  return {
    send: (message) => {
      output.write(encodeNativeMessage(message));
    },
    next: () => {
      const m = queue.shift();
      if (m !== undefined) return Promise.resolve(m);
      if (closed) return Promise.resolve(undefined);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

export async function nativeHostCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      phone: { type: "string" },
      "allowed-origin": { type: "string" },
      cards: { type: "string", default: "" },
      // Chromium on Windows adds --parent-window=N; harmless to accept everywhere.
      "parent-window": { type: "string" },
    },
  });
  if (!values.phone) throw new UsageError("--phone is required");
  const allowed = values["allowed-origin"];
  if (!allowed || !/^chrome-extension:\/\/[a-p]{32}\/$/.test(allowed))
    throw new UsageError("--allowed-origin must be chrome-extension://<32 letters a-p>/");
  // The browser names the calling extension; the manifest's allowed_origins already limits it, and
  // the host refuses to run for any other caller as well.
  if (positionals[0] !== allowed)
    throw new UsageError(`called by ${positionals[0] ?? "nobody"}, not the SET extension`);
  let phone: { host: string; port: number };
  try {
    phone = parsePhoneAddress(values.phone);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const pairingCode = env.SETLAB_PAIRING_CODE;
  delete env.SETLAB_PAIRING_CODE;
  if (pairingCode !== undefined && !isPairingCode(pairingCode))
    throw new UsageError("SETLAB_PAIRING_CODE must be 6 digits");
  const cards = values.cards
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  const logger = createDeferredLogger("mediator", { level: env.SETLAB_LOG_LEVEL ?? "warn" });
  const channel = stdioChannel(process.stdin, process.stdout);
  // SETLAB_BOND_KEYRING=1 (browser-setup writes it where keyctl is installed): the bond is kept in
  // the kernel keyring, so only the first purchase of a profile pairs
  const bonds = keptBonds(undefined, env, logger, phone);
  await runNativeHost(channel, {
    phone,
    cards,
    logger,
    ...(pairingCode ? { pairingCode } : {}),
    ...(bonds ? { bonds } : {}),
  });
  // One purchase per process: stop reading so the process can end once stdout is flushed.
  process.stdin.destroy();
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  return 0;
}
