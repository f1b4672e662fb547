/**
 * `set-phone serve`: load the personalized cards, open the bond store, and open the secure card
 * link on loopback.
 */
import { nodeProvider, peculiarProvider } from "@setlab/protocol";
import {
  type LinkLimits,
  type PairingOptions,
  type PhoneCardLink,
  startPhoneCardLink,
} from "@setlab/protocol/card-link";
import { announceListening, createLogger, keyPassphrase, type Logger } from "@setlab/runtime";
import { CardApplet } from "../card/applet";
import { autoApprove, type ConfirmationPolicy, denyAll } from "../card/confirmation";
import { PhoneBondStore } from "./bondStore";
import { loadCards, PhoneStoreError, storedCardKdf } from "./cardStore";
import { PairingCodeFile } from "./pairingCodeFile";
import { pairingReopenRequested } from "./pairingReopen";
import { promptConfirmation } from "./promptConfirmation";

export type ConfirmMode = "auto" | "deny" | "prompt";

export interface ServeOptions {
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly confirm?: ConfirmMode;
  /**
   * `auto` and `deny` answer after this many milliseconds (default 0), as a person reading the
   * phone would: the browser's "confirm on your phone" step stays on screen that long.
   */
  readonly confirmAfterMs?: number;
  readonly logger?: Logger;
  /**
   * Pairing: a fixed `code` is the test policy; without it each connection gets a fresh random
   * code, shown on the phone's screen (stdout) as `{"event":"pairing-code","code":"123456"}`.
   */
  readonly pairing?: PairingOptions;
  /**
   * The test policy with the code in an owner-only file (`--pairing-code-file`): read at start,
   * and rewritten with a fresh code whenever a wrong code spends it (pairingCodeFile.ts).
   */
  readonly pairingCodeFile?: string;
  /** Connections, handshakes, frame and idle deadlines (defaults: `defaultLinkLimits`). */
  readonly limits?: LinkLimits;
  /**
   * Bonding: at most `maxBonds` bonds in DATA/bonds (default 16; 0: the phone never bonds), each
   * valid `lifetimeMs` after its pairing (default 30 days).
   */
  readonly bonding?: { readonly maxBonds?: number; readonly lifetimeMs?: number };
}

export function confirmationPolicy(mode: ConfirmMode, afterMs = 0): ConfirmationPolicy {
  if (mode === "prompt") return promptConfirmation();
  const answer = mode === "auto" ? autoApprove : denyAll;
  if (afterMs <= 0) return answer;
  return async (request) => {
    await new Promise((r) => setTimeout(r, afterMs));
    return answer(request);
  };
}

/** The phone's screen: one JSON line on stdout. */
export function showPairingCode(code: string): void {
  process.stdout.write(`${JSON.stringify({ event: "pairing-code", code })}\n`);
}

export async function servePhone(options: ServeOptions): Promise<PhoneCardLink> {
  const log = options.logger ?? createLogger("phone");
  const p = peculiarProvider();
  const cards = await loadCards(p, options.dataDir, keyPassphrase(), (card, why) =>
    log.warn(
      { card, why },
      "card state: one slot of state.slots was not valid; the other slot's state was taken",
    ),
  );
  if (cards.length === 0) throw new PhoneStoreError(`no personalized card in ${options.dataDir}`);
  const applet = new CardApplet(cards, {
    p,
    confirm: confirmationPolicy(options.confirm ?? "prompt", options.confirmAfterMs),
    // One info line per card session (a purchase's five commands), each command at debug: the
    // phone's log lines were 4.4 % of its busy time under load (docs/performance.md).
    onCommand: (e, link) => log.debug({ ...link, ...e }, "card command"),
    onSessionEnd: (summary, link) => log.info({ ...link, ...summary }, "card session"),
  });
  // The card keeps @peculiar/webcrypto (card and PC run different crypto stacks); the phone's link
  // stack is the phone's own, on node's WebCrypto, which the secure link runs synchronously through
  // node:crypto: a pairing, resumption or record costs a fraction of the card's provider
  // (docs/card-link.md).
  const linkProvider = nodeProvider();
  const maxBonds = options.bonding?.maxBonds;
  const bonds =
    maxBonds === 0
      ? undefined
      : PhoneBondStore.open(options.dataDir, {
          provider: linkProvider,
          passphrase: keyPassphrase(),
          maxBonds,
          lifetimeMs: options.bonding?.lifetimeMs,
          logger: log,
          kdf: storedCardKdf(options.dataDir, cards[0].data.cardId),
        });
  const pairing: PairingOptions = {
    show: showPairingCode,
    bonds,
    // The owner's `set-phone pair` ends a lockout (pairingReopen.ts).
    reopened: () => pairingReopenRequested(options.dataDir),
    ...(options.pairingCodeFile === undefined ? {} : { code: new PairingCodeFile(options.pairingCodeFile) }),
    ...options.pairing,
  };
  const server = await startPhoneCardLink(applet, {
    host: options.host,
    port: options.port,
    logger: log,
    provider: linkProvider,
    pairing,
    limits: options.limits,
  });
  log.info(
    {
      cards: applet.cardIds,
      confirm: options.confirm ?? "prompt",
      pairing:
        pairing.code === undefined
          ? "random code per connection"
          : typeof pairing.code === "string"
            ? "fixed code (test policy)"
            : "code file, renewed after a wrong code (test policy)",
      bonds: bonds ? `${bonds.list().length} of at most ${bonds.maxBonds}` : "none (bonding off)",
    },
    "phone ready",
  );
  announceListening("phone", `tcp://${server.host}:${server.port}`);
  return server;
}
