/**
 * The mediator's relay for the patent's first embodiment (docs/purchase-flow.md, "Embodiment 1"):
 * it asks the shop for its request (E1InfoInit, built from the initiation object), relays the
 * request to the card (E1_CARD_INFO), the card's signed card information to the shop, and the
 * shop's signed result back to the card (E1_RESULT). The card information includes the PAN: the
 * mediator holds it only in the buffer it relays, wipes that buffer once posted, and logs sizes only.
 */
import { buildE1InfoInit, INS, type Initiation, SetError, schema, utf8 } from "@setlab/protocol/relay";
import { postSet, SET_PAYMENT_EMBODIMENT, TransportError } from "@setlab/runtime/client";
import { type Completion, completionOf, PurchaseStop, readPResAnswer } from "./cardAnswers";
import type { CardSession } from "./cardSession";
import type { PurchaseTrace } from "./purchaseTrace";

/** The shop's answer: the expected message, or a stop naming the shop's refusal. */
export function expectFromShop(
  bytes: Uint8Array,
  type: schema.EmbodimentMessageType,
  sent: string,
): schema.EmbodimentWrapper {
  let wrapper: schema.EmbodimentWrapper;
  try {
    wrapper = schema.decodeEmbodimentMessage(bytes);
  } catch (e) {
    const code = e instanceof SetError ? e.code : "decodingFailure";
    throw new PurchaseStop(
      "failed",
      `the merchant answered the ${sent} with something that is not an embodiment message (${code})`,
    );
  }
  const { message } = wrapper;
  // A refusal of the card information is the outcome the card reads; any other refusal stops here.
  if (message.type === "error" && type !== "e1Result")
    throw new PurchaseStop("refused", `the merchant refused the ${sent}: ${message.value.errorCode}`);
  if (message.type !== type && message.type !== "error")
    throw new PurchaseStop("failed", `the merchant answered the ${sent} with ${message.type}`);
  return wrapper;
}

export interface Embodiment1Result {
  readonly outcome: Completion;
  readonly completionCode?: string;
  readonly amount: unknown;
}

export async function embodiment1Exchange(
  card: CardSession,
  initiation: Initiation,
  runId: string | undefined,
  httpMs: number,
  trace: PurchaseTrace,
): Promise<Embodiment1Result> {
  const url = initiation.embodimentUrl;
  if (!url) throw new PurchaseStop("failed", "the initiation object names no embodimentUrl");
  const post = async (der: Uint8Array, what: string) => {
    try {
      return await postSet(url, der, { timeoutMs: httpMs, runId, contentType: SET_PAYMENT_EMBODIMENT });
    } catch (e) {
      if (e instanceof TransportError) throw new PurchaseStop("failed", `sending the ${what}: ${e.message}`);
      throw e;
    }
  };

  const init = buildE1InfoInit({ lid_M: utf8(initiation.lidM) }, new Date());
  trace.record({ step: "E1-1", from: "mediator", to: "merchant", message: "E1InfoInit", bytes: init.length });
  const infoReq = await post(init, "E1InfoInit");
  const req = expectFromShop(infoReq, "e1InfoReq", "E1InfoInit").message;
  if (req.type === "e1InfoReq") trace.facts.xid = Buffer.from(req.value.xid).toString("hex");
  trace.record({
    step: "E1-2",
    from: "merchant",
    to: "mediator",
    message: "E1InfoReq",
    bytes: infoReq.length,
  });

  // The card checks the request, asks the cardholder, and signs its certificate and card information.
  trace.record({ step: "E1-3", from: "mediator", to: "card", message: "E1InfoReq", bytes: infoReq.length });
  const infoRes = await card.command(INS.E1_CARD_INFO, infoReq);
  trace.record({ step: "E1-4", from: "card", to: "mediator", message: "E1InfoRes", bytes: infoRes.length });

  trace.record({
    step: "E1-5",
    from: "mediator",
    to: "merchant",
    message: "E1InfoRes",
    bytes: infoRes.length,
  });
  let result: Uint8Array;
  try {
    result = await post(infoRes, "E1InfoRes");
  } finally {
    // The card information (the PAN among it) has left for the shop: no copy stays on the PC.
    infoRes.fill(0);
  }
  const answer = expectFromShop(result, "e1Result", "E1InfoRes").message;
  const refused = answer.type === "error" ? answer.value.errorCode : undefined;
  const name = refused ? "Error" : "E1Result";
  trace.record({
    step: "E1-6",
    from: "merchant",
    to: "mediator",
    message: name,
    bytes: result.length,
    ...(refused ? { detail: refused } : {}),
  });

  return cardReadsE1Result(card, result, initiation.purchAmt, trace, {
    step: "E1-7",
    from: "mediator",
    to: "card",
    message: name,
  });
}

/**
 * The card reads the shop's E1Result (both embodiments end with it) and says the outcome; a refusal
 * it read stops the purchase.
 */
export async function cardReadsE1Result(
  card: CardSession,
  result: Uint8Array,
  purchAmt: schema.CurrencyAmount,
  trace: PurchaseTrace,
  hop: Pick<Parameters<PurchaseTrace["record"]>[0], "step" | "from" | "to" | "message">,
): Promise<Embodiment1Result> {
  const outcome = readPResAnswer(await card.command(INS.E1_RESULT, result));
  trace.record({ ...hop, bytes: result.length, detail: outcome.error ?? outcome.completionCode });
  if (outcome.error !== undefined)
    throw new PurchaseStop("refused", `the merchant refused the card information: ${outcome.error}`);
  return {
    outcome: completionOf(outcome, purchAmt),
    completionCode: outcome.completionCode,
    amount: outcome.authAmt ?? purchAmt,
  };
}
