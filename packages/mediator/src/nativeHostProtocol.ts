/**
 * The messages between the SET browser extension and the mediator as its native-messaging host
 * (docs/purchase-flow.md, "Browser extension and native host"). One host process serves one
 * purchase: `start` names the page's initiation object, the host answers with the order and what it
 * needs from the buyer, `pay` brings the buyer's choice, `progress` lines follow, then one
 * `outcome`. The initiation object's `profile` decides which embodiment runs; every profile uses
 * these messages, and the second embodiment adds one request and its answer: `confirm-order` (the
 * order the card marked non-forward, shown in the panel) and the buyer's `confirmation`. A
 * `start` for an `inquiry` (the shop's order page, docs/purchase-flow.md "The inquiry marker")
 * runs the card's InqReq about that order instead: `order`, the buyer's `inquire`, `progress`,
 * one `outcome` with what the card verified.
 */
import type { InitiationProfile } from "@setlab/protocol/relay";
import type { OutcomeKind } from "./mediator";

export const nativeHostProtocol = "setlab-native/1";

/** The host's registered name (the host manifest's `name`, what `connectNative` asks for). */
export const nativeHostName = "org.setlab.mediator";

export interface StartMessage {
  readonly type: "start";
  readonly protocol: typeof nativeHostProtocol;
  /** The marker's `data`, resolved against the page: an http(s) URL on the page's origin. */
  readonly initiationUrl: string;
  /** The origin of the page that carried the marker, as the extension saw it. */
  readonly pageOrigin: string;
  /** A purchase (the checkout page's marker, the default) or an inquiry (the order page's). */
  readonly purpose?: "purchase" | "inquiry";
  /** The inquiry's purchase: its XID as the shop's page names it (40 hex digits). */
  readonly xid?: string;
}

export interface PayMessage {
  readonly type: "pay";
  readonly cardId: string;
  /** Typed by the buyer in the extension's own panel; the host wipes its copy after VERIFY_PIN. */
  readonly pin: string;
}

/** The buyer's card and PIN for an inquiry: the card signs the InqReq. */
export interface InquireMessage {
  readonly type: "inquire";
  readonly cardId: string;
  readonly pin: string;
}

export interface CancelMessage {
  readonly type: "cancel";
}

/** The buyer's answer to a `confirm-order` (the second embodiment's final confirmation). */
export interface ConfirmationMessage {
  readonly type: "confirmation";
  readonly confirmed: boolean;
}

export type ExtensionMessage =
  | StartMessage
  | PayMessage
  | InquireMessage
  | CancelMessage
  | ConfirmationMessage;

export interface OrderMessage {
  readonly type: "order";
  /** What the buyer is asked to agree to: paying this order, or asking the card how it ended. */
  readonly purpose: "purchase" | "inquiry";
  readonly profile: InitiationProfile;
  readonly merchantOrigin: string;
  /** The order description (the initiation object's OD as text). */
  readonly description: string;
  /** "JPY 1280": exact, never rounded. */
  readonly amount: string;
  /** The installment or recurring terms the card will show and sign ("every 30 days until 2099-12-31"). */
  readonly terms?: string;
  readonly brands: readonly string[];
  /** The cards on the phone the buyer may pick from (empty: the buyer types the card's id). */
  readonly cards: readonly string[];
  /** What the buyer must give before the purchase runs. */
  readonly needs: readonly ("card" | "pin")[];
}

export interface ProgressMessage {
  readonly type: "progress";
  /** The mediator's step (pair, select, pin, S32, ...). */
  readonly step: string;
  readonly text: string;
  /** True while the phone waits for the buyer (the purchase confirmation). */
  readonly onPhone?: boolean;
}

export interface OutcomeMessage {
  readonly type: "outcome";
  readonly outcome: OutcomeKind;
  /** One plain sentence for the buyer. */
  readonly message: string;
  readonly amount?: string;
  readonly completionCode?: string;
  readonly reason?: string;
  /** The shop's result page (the initiation object's returnUrl), when the purchase started. */
  readonly returnUrl?: string;
}

/**
 * The second embodiment's order as the card opened it and handed back marked non-forward (claim 2):
 * shown to the buyer in the panel, never sent toward the shop; the host waits for a
 * `confirmation` and continues only on `confirmed: true`.
 */
export interface ConfirmOrderMessage {
  readonly type: "confirm-order";
  /** The merchant's name from its certificate, as the card read it. */
  readonly merchant: string;
  readonly description: string;
  /** "JPY 4200": exact, with the ISO 4217 code. */
  readonly amount: string;
}

export type HostMessage = OrderMessage | ProgressMessage | ConfirmOrderMessage | OutcomeMessage;

/** The extension's message, checked field by field; undefined for anything else. */
export function readExtensionMessage(m: Record<string, unknown>): ExtensionMessage | undefined {
  const str = (k: string, max: number) => typeof m[k] === "string" && (m[k] as string).length <= max;
  switch (m.type) {
    case "start": {
      const purpose = m.purpose ?? "purchase";
      const xidOk =
        purpose === "inquiry"
          ? typeof m.xid === "string" && /^[0-9a-f]{40}$/i.test(m.xid)
          : purpose === "purchase" && m.xid === undefined;
      return m.protocol === nativeHostProtocol &&
        str("initiationUrl", 2048) &&
        str("pageOrigin", 512) &&
        xidOk
        ? (m as unknown as StartMessage)
        : undefined;
    }
    case "pay":
    case "inquire":
      return str("cardId", 64) && str("pin", 12) ? (m as unknown as PayMessage | InquireMessage) : undefined;
    case "cancel":
      return { type: "cancel" };
    case "confirmation":
      return typeof m.confirmed === "boolean" ? { type: "confirmation", confirmed: m.confirmed } : undefined;
    default:
      return undefined;
  }
}
