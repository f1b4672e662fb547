/**
 * The mediator's relay for the patent's second embodiment: the shop's hello (its certificate) to
 * the card, the card's hello (its certificate and key) to the shop, the shop's session key to the
 * card. The card then hands back the order **marked non-forward** (claim 2): the mediator shows it
 * to the buyer and asks for the final confirmation, and never sends it toward the shop. Only after
 * a yes does the card give its card information, under the session key; the shop's result goes
 * back to the card as in the first embodiment.
 */
import {
  buildE2Init,
  formatCurrencyAmount,
  INS,
  type Initiation,
  isNonForward,
  readE2OrderForBuyer,
  utf8,
} from "@setlab/protocol/relay";
import { postSet, SET_PAYMENT_EMBODIMENT, TransportError } from "@setlab/runtime/client";
import { PurchaseStop } from "./cardAnswers";
import type { CardSession } from "./cardSession";
import { cardReadsE1Result, type Embodiment1Result, expectFromShop } from "./embodiment1Exchange";
import type { PurchaseTrace } from "./purchaseTrace";

/** What the buyer is shown, under the non-forward flag: the order as the card opened it. */
export interface OrderForBuyer {
  readonly merchantName: string;
  /** The order description, as text. */
  readonly description: string;
  /** The amount as a person reads it ("JPY 12800"). */
  readonly amount: string;
}

/** Shows the order and answers the buyer's final confirmation. */
export type ConfirmOrder = (order: OrderForBuyer) => Promise<boolean>;

/** Posts to the shop; anything marked non-forward is refused here, before it could leave. */
export type ShopPost = (der: Uint8Array, what: string) => Promise<Uint8Array>;

export function shopPost(url: string, runId: string | undefined, httpMs: number): ShopPost {
  return async (der, what) => {
    // Claim 2: a non-forward item never goes toward the shop, whatever asks for it.
    if (isNonForward(der)) throw new PurchaseStop("failed", `the ${what} is marked non-forward: not sent`);
    try {
      return await postSet(url, der, { timeoutMs: httpMs, runId, contentType: SET_PAYMENT_EMBODIMENT });
    } catch (e) {
      if (e instanceof TransportError) throw new PurchaseStop("failed", `sending the ${what}: ${e.message}`);
      throw e;
    }
  };
}

export async function embodiment2Exchange(
  card: CardSession,
  initiation: Initiation,
  post: ShopPost,
  confirm: ConfirmOrder | undefined,
  trace: PurchaseTrace,
): Promise<Embodiment1Result> {
  if (!confirm) throw new PurchaseStop("refused", "embodiment 2 needs the buyer's confirmation on the PC");
  const init = buildE2Init({ lid_M: utf8(initiation.lidM) }, new Date());
  trace.record({ step: "E2-1", from: "mediator", to: "merchant", message: "E2Init", bytes: init.length });
  const hello = await post(init, "E2Init");
  expectFromShop(hello, "e2MerchantHello", "E2Init");
  trace.record({
    step: "E2-2",
    from: "merchant",
    to: "card",
    message: "E2MerchantHello",
    bytes: hello.length,
  });

  // The card checks the shop's certificate, then answers with its own and a key for this transaction.
  const cardHello = await card.command(INS.E2_HELLO, hello);
  trace.record({
    step: "E2-3",
    from: "card",
    to: "merchant",
    message: "E2CardHello",
    bytes: cardHello.length,
  });
  const sessionKey = await post(cardHello, "E2CardHello");
  expectFromShop(sessionKey, "e2SessionKey", "E2CardHello");
  trace.record({
    step: "E2-4",
    from: "merchant",
    to: "card",
    message: "E2SessionKey",
    bytes: sessionKey.length,
  });

  // The order comes back marked non-forward: shown here, asked here, never posted.
  const marked = await card.command(INS.E2_SESSION_KEY, sessionKey);
  const order = readE2OrderForBuyer(marked);
  trace.record({
    step: "E2-5",
    from: "card",
    to: "mediator",
    message: "E2OrderForBuyer",
    bytes: marked.length,
    detail: "non-forward: shown to the buyer, not relayed",
  });
  let confirmed = false;
  try {
    confirmed =
      (await confirm({
        merchantName: order.merchantName,
        description: new TextDecoder().decode(order.order.od),
        amount: formatCurrencyAmount(order.order.purchAmt),
      })) === true;
  } catch {
    confirmed = false;
  } finally {
    marked.fill(0);
  }
  trace.record({
    step: "E2-6",
    from: "mediator",
    to: "mediator",
    message: "confirmation",
    detail: confirmed ? "the buyer confirmed" : "the buyer declined",
  });
  if (!confirmed) throw new PurchaseStop("refused", "the buyer did not confirm the order");

  const cardInfo = await card.command(INS.E2_CONFIRM, new Uint8Array(0));
  trace.record({ step: "E2-7", from: "card", to: "merchant", message: "E2CardInfo", bytes: cardInfo.length });
  const result = await post(cardInfo, "E2CardInfo");
  const answer = expectFromShop(result, "e1Result", "E2CardInfo").message;
  const refused = answer.type === "error" ? answer.value.errorCode : undefined;
  return cardReadsE1Result(card, result, initiation.purchAmt, trace, {
    step: "E2-8",
    from: "merchant",
    to: "card",
    message: refused ? "Error" : "E1Result",
  });
}
