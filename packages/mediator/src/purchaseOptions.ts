/** What a caller of `runPurchase` gives: the shop's initiation, the card and how to reach it, the waits. */
import type { BondCache, PcCardLink } from "@setlab/protocol/card-link";
import type { Initiation, schema } from "@setlab/protocol/relay";
import type { Logger } from "@setlab/runtime/client";
import type { ConfirmOrder } from "./embodiment2Exchange";
import type { Step } from "./outcome";

export interface CardAccess {
  /** An open link to the phone; left open for the caller. */
  readonly link?: PcCardLink;
  /** Or where the phone listens; the mediator opens and closes the link itself. */
  readonly host?: string;
  readonly port?: number;
  readonly cardId: string;
  /**
   * The PIN, ASCII digits. A Uint8Array is overwritten with zeros once VERIFY_PIN is answered
   * (so pass a buffer you own); a string is copied to such a buffer at once. Without a PIN no
   * VERIFY_PIN is sent, and the card refuses the purchase commands (6982).
   */
  readonly pin?: string | Uint8Array;
  /**
   * The pairing code the phone shows (6 digits), or a function asked for it once the phone has
   * answered (a prompt). Needed when the mediator opens the link itself and holds no bond.
   */
  readonly pairingCode?: string | (() => Promise<string>);
  /**
   * The PC's bonds (in memory, for the life of the caller's process): a bond with this phone is
   * resumed without the code; a pairing leaves one here for the next purchase.
   */
  readonly bonds?: BondCache;
}

export interface Timeouts {
  /** Each POST to the merchant (default 30 000 ms). */
  readonly httpMs?: number;
  /** Each card command (default 30 000 ms). */
  readonly cardMs?: number;
  /** Connecting to the phone (default 5 000 ms). */
  readonly connectMs?: number;
}

export interface PurchaseOptions {
  readonly initiation: Initiation;
  readonly card: CardAccess;
  /** The brand to pay with; default the card's own. */
  readonly brand?: string;
  /** "unsigned" asks for SET's unsigned PReq; the shop must allow it for the brand. */
  readonly form?: "dualSigned" | "unsigned";
  /**
   * Installment or recurring terms the buyer agrees to (InstallRecurData, signed by the card in
   * PIHead and HODInput); the merchant's order must state the same. Default: the initiation
   * object's `terms` (the card shows them to the buyer before it signs).
   */
  readonly installRecurData?: schema.InstallRecurData;
  readonly runId?: string;
  readonly onStep?: (step: Step) => void;
  readonly logger?: Logger;
  readonly timeouts?: Timeouts;
  /**
   * The patent's second embodiment: shows the buyer the order the card marked non-forward and
   * answers the final confirmation. Without it an embodiment 2 purchase is refused.
   */
  readonly confirmOrder?: ConfirmOrder;
}

/** Every wait with its default filled in. */
export function timeoutsOf(given: Timeouts | undefined): Required<Timeouts> {
  return {
    // Longer than the merchant's own worst case with a slow gateway (three 5 s attempts), so the
    // merchant's clear "order received" reaches the card rather than a mediator timeout.
    httpMs: given?.httpMs ?? 30_000,
    cardMs: given?.cardMs ?? 30_000,
    connectMs: given?.connectMs ?? 5_000,
  };
}
