/** `set-phone serve`: load the personalized cards and open the card link on loopback. */
import { peculiarProvider } from "@setlab/protocol";
import { announceListening, createLogger, type Logger } from "@setlab/runtime";
import { CardApplet } from "../card/applet";
import { autoApprove, type ConfirmationPolicy, denyAll } from "../card/confirmation";
import { type CardLinkServer, startCardLinkServer } from "./cardLinkServer";
import { loadCards, PhoneStoreError } from "./cardStore";
import { promptConfirmation } from "./promptConfirmation";

export type ConfirmMode = "auto" | "deny" | "prompt";

export interface ServeOptions {
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly confirm?: ConfirmMode;
  readonly logger?: Logger;
}

export function confirmationPolicy(mode: ConfirmMode): ConfirmationPolicy {
  if (mode === "auto") return autoApprove;
  if (mode === "deny") return denyAll;
  return promptConfirmation();
}

export async function servePhone(options: ServeOptions): Promise<CardLinkServer> {
  const log = options.logger ?? createLogger("phone");
  const p = peculiarProvider();
  const cards = await loadCards(p, options.dataDir);
  if (cards.length === 0) throw new PhoneStoreError(`no personalized card in ${options.dataDir}`);
  const applet = new CardApplet(cards, {
    p,
    confirm: confirmationPolicy(options.confirm ?? "prompt"),
    onCommand: (e) => log.info(e, "card command"),
  });
  const server = await startCardLinkServer(applet, { host: options.host, port: options.port, logger: log });
  log.info({ cards: applet.cardIds, confirm: options.confirm ?? "prompt" }, "phone ready");
  announceListening("phone", `tcp://${server.host}:${server.port}`);
  return server;
}
