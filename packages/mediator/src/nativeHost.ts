/**
 * The mediator as the browser extension's native-messaging host (patent claim 3: the shop's page
 * starts the mediator through the browser). One process, one purchase: it reads the page's
 * initiation object over HTTP, shows the order through the extension, takes the buyer's card and
 * PIN from the extension's panel, runs the purchase with the phone and the shop, reports each step
 * and the outcome, and ends. Under the second embodiment it also shows the order the card marked
 * non-forward in the panel and waits for the buyer's answer there. Started from a shop's order
 * page for an inquiry, it has the card ask the shop how that purchase ended instead
 * (./nativeHostInquiry.ts). Like the command line, it writes nothing to disk; its logs (stderr)
 * carry steps and outcomes, never the PIN, the order description or message bytes.
 */
import type { BondCache } from "@setlab/protocol/card-link";
import {
  describeInstallRecur,
  formatCurrencyAmount,
  type Initiation,
  type InitiationProfile,
  installRecurDataOf,
  type schema,
} from "@setlab/protocol/relay";
import type { Logger } from "@setlab/runtime/client";
import type { ConfirmOrder } from "./embodiment2Exchange";
import { loadInitiation } from "./initiation";
import { type CardAccess, type Outcome, runPurchase, type Step } from "./mediator";
import { askCard, inquiryProgress } from "./nativeHostInquiry";
import {
  type ExtensionMessage,
  type HostMessage,
  type OutcomeMessage,
  type PayMessage,
  readExtensionMessage,
} from "./nativeHostProtocol";

/** The two ends of the native-messaging pipe, as messages. */
export interface HostChannel {
  send(message: HostMessage): void;
  /** The extension's next message; undefined when the browser closed the pipe. */
  next(): Promise<Record<string, unknown> | undefined>;
}

export interface NativeHostOptions {
  readonly phone: { readonly host: string; readonly port: number };
  /** The phone's pairing code (asked only when there is no bond to resume). */
  readonly pairingCode?: string;
  /** The cards the buyer may pick; empty: any card id the buyer types. */
  readonly cards: readonly string[];
  readonly logger?: Logger;
  /** The PC's bonds: in memory, and in the kernel keyring when the cache has that keeper. */
  readonly bonds?: BondCache;
  readonly timeouts?: { readonly httpMs?: number; readonly cardMs?: number; readonly connectMs?: number };
}

/** What the buyer sees for each step of the third embodiment. */
const stepTexts: Record<string, { text: string; onPhone?: boolean }> = {
  pair: { text: "Connected to your phone (paired)." },
  resume: { text: "Connected to your phone." },
  select: { text: "Card selected." },
  pin: { text: "PIN accepted." },
  S32: { text: "Contacting the shop." },
  // Announced before PURCHASE is sent: the phone now shows the purchase and waits for the buyer.
  "S34-S35": { text: "Confirm the purchase on your phone.", onPhone: true },
  "S38-S41": { text: "The shop is asking your card company." },
  "S55-S56": { text: "Your card is checking the answer." },
  // The first embodiment: the card asks the cardholder before it signs its card information.
  "E1-1": { text: "Contacting the shop." },
  "E1-3": { text: "Confirm the purchase on your phone.", onPhone: true },
  "E1-5": { text: "The shop is asking your card company." },
  "E1-7": { text: "Your card is checking the answer." },
  // The second embodiment: the buyer confirms here, in the panel (a `confirm-order`), not on the phone.
  "E2-1": { text: "Contacting the shop." },
  "E2-3": { text: "Your card checked the shop's certificate." },
  "E2-7": { text: "The shop is asking your card company." },
  "E2-8": { text: "Your card is checking the answer." },
};

/** A purchase run for one profile: the embodiments differ here, the messages around stay. */
type PurchaseRoute = (r: {
  initiation: Initiation;
  pay: Pick<PayMessage, "cardId" | "pin">;
  options: NativeHostOptions;
  progress: (step: Step) => void;
  /** Asks the buyer in the panel; only the second embodiment does. */
  confirmInPanel: ConfirmOrder;
}) => Promise<Outcome>;

/** The phone and the card the buyer chose, with the PIN typed in the panel. */
export function cardAccessOf(
  pay: Pick<PayMessage, "cardId" | "pin">,
  options: NativeHostOptions,
): CardAccess {
  return {
    host: options.phone.host,
    port: options.phone.port,
    cardId: pay.cardId,
    // A buffer the mediator owns and overwrites after VERIFY_PIN.
    pin: new Uint8Array(Buffer.from(pay.pin, "latin1")),
    ...(options.pairingCode ? { pairingCode: options.pairingCode } : {}),
    ...(options.bonds ? { bonds: options.bonds } : {}),
  };
}

/** runPurchase relays every profile to the card: SET's messages, or the first embodiment's. */
const relayToCard = (
  { initiation, pay, options, progress }: Parameters<PurchaseRoute>[0],
  confirmOrder?: ConfirmOrder,
): Promise<Outcome> =>
  runPurchase({
    initiation,
    card: cardAccessOf(pay, options),
    onStep: progress,
    ...(confirmOrder ? { confirmOrder } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });

const routes: Record<InitiationProfile, PurchaseRoute> = {
  set: (r) => relayToCard(r),
  hardened: (r) => relayToCard(r),
  "embodiment-1": (r) => relayToCard(r),
  // The order the card marks non-forward goes to the panel (a `confirm-order`), never to the shop;
  // the card gives its card information only after the buyer's yes there.
  "embodiment-2": (r) => relayToCard(r, r.confirmInPanel),
};

const cardIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Runs one purchase over the channel; resolves with the outcome sent (or undefined if none ran). */
export async function runNativeHost(
  channel: HostChannel,
  options: NativeHostOptions,
): Promise<OutcomeMessage | undefined> {
  const log = options.logger;
  const end = (outcome: OutcomeMessage): OutcomeMessage => {
    channel.send(outcome);
    log?.info({ outcome: outcome.outcome, reason: outcome.reason }, "native host: purchase ended");
    return outcome;
  };
  // Until `start` says otherwise, a purchase.
  let inquiry = false;
  const refuse = (reason: string): OutcomeMessage =>
    end({
      type: "outcome",
      outcome: "refused",
      reason,
      message: `${inquiry ? "Your card did not ask" : "The payment did not start"}: ${reason}.`,
    });
  const next = async (): Promise<ExtensionMessage | "closed" | "unknown"> => {
    const raw = await channel.next();
    if (raw === undefined) return "closed";
    return readExtensionMessage(raw) ?? "unknown";
  };
  // Only an explicit yes continues: a cancel, another message or a closed pipe is a no.
  const confirmInPanel: ConfirmOrder = async (order) => {
    channel.send({
      type: "confirm-order",
      merchant: order.merchantName,
      description: order.description,
      amount: order.amount,
    });
    const answer = await next();
    return typeof answer === "object" && answer.type === "confirmation" && answer.confirmed;
  };

  const start = await next();
  if (start === "closed") return undefined;
  if (start === "unknown" || start.type !== "start")
    return refuse("the extension did not start with a purchase");
  inquiry = start.purpose === "inquiry";
  let url: URL;
  try {
    url = new URL(start.initiationUrl);
  } catch {
    return refuse("the page's initiation address is not a URL");
  }
  // Only an object the page's own site serves: a page cannot start a purchase in another shop's name.
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== start.pageOrigin)
    return refuse("the page's initiation object is not on the page's own site");
  let initiation: Initiation;
  try {
    initiation = await loadInitiation(url.href, { timeoutMs: options.timeouts?.httpMs ?? 10_000 });
  } catch (e) {
    return refuse(`the shop's initiation object could not be read (${(e as Error).message.split("\n")[0]})`);
  }
  const route = routes[initiation.profile];
  log?.info({ lidM: initiation.lidM, profile: initiation.profile, inquiry }, "native host: initiation");
  // The card remembers SET purchases only: an embodiment's order has no InqReq to ask with.
  if (inquiry && initiation.profile !== "set" && initiation.profile !== "hardened")
    return refuse("this order was not paid with SET, so your card cannot ask about it");
  const amount = formatCurrencyAmount(initiation.purchAmt);
  channel.send({
    type: "order",
    purpose: inquiry ? "inquiry" : "purchase",
    profile: initiation.profile,
    merchantOrigin: url.origin,
    description: Buffer.from(initiation.od, "base64").toString("utf8"),
    amount,
    ...(initiation.terms ? { terms: describeInstallRecur(installRecurDataOf(initiation.terms)) } : {}),
    brands: initiation.brands,
    cards: options.cards,
    needs: ["card", "pin"],
  });

  const pay = await next();
  if (pay === "closed") return undefined;
  // A purchase's order is answered by `pay`, an inquiry's by `inquire`, either by `cancel`.
  if (
    pay === "unknown" ||
    (pay.type !== "pay" && pay.type !== "inquire" && pay.type !== "cancel") ||
    (pay.type !== "cancel" && (pay.type === "inquire") !== inquiry)
  )
    return refuse("the extension answered the order with something else");
  if (pay.type === "cancel")
    return end({
      type: "outcome",
      outcome: "refused",
      reason: "cancelled",
      message: inquiry ? "You cancelled the question." : "You cancelled the payment.",
    });
  if (!cardIdPattern.test(pay.cardId) || (options.cards.length > 0 && !options.cards.includes(pay.cardId)))
    return refuse("that card is not on your phone");
  if (inquiry && start.xid)
    return end(
      await askCard({
        initiation,
        xid: start.xid,
        card: cardAccessOf(pay, options),
        options,
        progress: (step) => {
          const shown = inquiryProgress(step);
          if (shown) channel.send(shown);
        },
      }),
    );

  const outcome = await route({
    initiation,
    pay,
    options,
    confirmInPanel,
    progress: (step) => {
      const shown = stepTexts[step.step];
      // Each step is reported once, when it first happens (S32 is recorded twice: card and shop).
      if (shown && !(step.step === "S32" && step.to === "merchant"))
        channel.send({
          type: "progress",
          step: step.step,
          text: shown.text,
          ...(shown.onPhone ? { onPhone: true } : {}),
        });
    },
  });
  return end(outcomeMessage(outcome, initiation));
}

const completionTexts: Record<string, string> = {
  orderRejected: "your card company did not approve the payment",
};

/** An outcome message without its sentence: the amount (the answer's, else the order's) and the codes. */
export function outcomeFields(
  o: Outcome,
  initiation: Initiation,
): Omit<OutcomeMessage, "message"> & { amount: string } {
  return {
    type: "outcome",
    outcome: o.outcome,
    amount: formatCurrencyAmount((o.amount as schema.CurrencyAmount | undefined) ?? initiation.purchAmt),
    ...(initiation.returnUrl ? { returnUrl: initiation.returnUrl } : {}),
    ...(o.completionCode ? { completionCode: o.completionCode } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
  };
}

/** The outcome as the buyer reads it: approved with the amount, declined with the reason, refused in a sentence. */
export function outcomeMessage(o: Outcome, initiation: Initiation): OutcomeMessage {
  const base = outcomeFields(o, initiation);
  const { amount } = base;
  switch (o.outcome) {
    case "approved":
      return { ...base, message: `Approved: ${amount}.` };
    case "partiallyApproved":
      return { ...base, message: `Approved for ${amount} only, less than the order's total.` };
    case "declined": {
      const why =
        completionTexts[o.completionCode ?? ""] ?? `completion code ${o.completionCode ?? "unknown"}`;
      return { ...base, message: `Declined: ${why}.` };
    }
    case "orderReceived":
      return { ...base, message: "The shop took your order but has no answer from your card company yet." };
    case "refused":
      return { ...base, message: `The payment did not go ahead: ${o.reason ?? "refused"}.` };
    default:
      return { ...base, message: `The payment could not be completed: ${o.reason ?? "a fault"}.` };
  }
}
