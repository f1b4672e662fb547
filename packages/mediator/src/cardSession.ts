/**
 * The card as the purchase phases see it: `transmit` one command, or a `flight` of a few sent in one
 * write (where the mediator already knows what comes next), with the purchase's command timeout,
 * over the caller's link or one opened here (paired, or resumed with a bond) and closed by `close`.
 */
import { PcCardLink } from "@setlab/protocol/card-link";
import { expectOk, PurchaseStop } from "./cardAnswers";
import type { CardAccess, Timeouts } from "./purchaseOptions";
import type { PurchaseTrace } from "./purchaseTrace";

export interface CardAnswer {
  readonly sw: number;
  readonly data: Uint8Array;
}

/** One command of a flight; `sensitive` as for `transmit`. */
export interface FlightCommand {
  readonly ins: number;
  readonly data: Uint8Array;
  readonly sensitive?: boolean;
}

export interface CardSession {
  /** `sensitive` keeps the command's data out of the link's own diagnostics (the PIN). */
  transmit(ins: number, data: Uint8Array, sensitive?: boolean): Promise<CardAnswer>;
  /**
   * The commands in one write, their answers in the same order. The card runs each as if it had
   * waited for the one before, so the caller reads the answers in order and stops at the first
   * refusal: what follows a refused command is refused too.
   */
  flight(
    commands: readonly FlightCommand[],
    /**
     * Called with every answer as it arrives, before the next and before the flight resolves: for
     * progress the buyer sees meanwhile.
     */
    onAnswer?: (index: number, answer: CardAnswer) => void,
  ): Promise<CardAnswer[]>;
  /** The command's answer data; any status word but 9000 stops the purchase as the card's refusal. */
  command(ins: number, data: Uint8Array): Promise<Uint8Array>;
  /** Closes the link if this session opened it; the caller's link stays open. */
  close(): Promise<void>;
}

export async function openCardSession(
  card: CardAccess,
  timeouts: Required<Timeouts>,
  runId: string | undefined,
  trace: PurchaseTrace,
): Promise<CardSession> {
  let link = card.link;
  const owned = link === undefined;
  if (!link) {
    if (card.host === undefined || card.port === undefined)
      throw new PurchaseStop("failed", "no card link: give a link or the phone's host and port");
    link = await PcCardLink.connect(card.host, card.port, {
      connectTimeoutMs: timeouts.connectMs,
      timeoutMs: timeouts.cardMs,
      pairingCode: card.pairingCode,
      bonds: card.bonds,
      runId,
    });
    const resumed = link.mode === "resumed";
    trace.record({
      step: resumed ? "resume" : "pair",
      from: "mediator",
      to: "card",
      message: resumed ? "RESUME" : "PAIR",
      detail: resumed ? "secure card link resumed with its bond" : "secure card link paired",
    });
  }
  const open = link;
  const transmit = (ins: number, data: Uint8Array, sensitive = false) =>
    open.transmit({ ins, data }, { timeoutMs: timeouts.cardMs, sensitive });
  return {
    transmit,
    flight: (commands, onAnswer) =>
      open.transmitFlight(
        commands.map(({ ins, data }) => ({ ins, data })),
        {
          timeoutMs: timeouts.cardMs,
          sensitive: commands.some((c) => c.sensitive),
          ...(onAnswer ? { onAnswer } : {}),
        },
      ),
    command: async (ins, data) => expectOk(ins, await transmit(ins, data)),
    close: async () => {
      if (owned) await open.close();
    },
  };
}
