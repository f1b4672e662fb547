/**
 * The mediator's relay for the patent's first embodiment (docs/purchase-flow.md, "Embodiment 1"):
 * it asks the shop for its request (E1InfoInit, built from the initiation object), relays the
 * request to the card (E1_CARD_INFO), the card's signed card information to the shop, and the
 * shop's signed result back to the card (E1_RESULT). The card information includes the PAN: the
 * mediator holds it only in the buffer it relays, wipes that buffer once posted, and logs sizes only.
 */
import { buildE1InfoInit, INS, type Initiation, SetError, schema, utf8 } from "@setlab/protocol";
import { postSet, SET_PAYMENT_EMBODIMENT, TransportError } from "@setlab/runtime";
import { completionOf, expectOk, PurchaseStop, readPResAnswer } from "./cardAnswers";
import type { Outcome, Step } from "./mediator";

export interface Embodiment1Relay {
  readonly initiation: Initiation;
  readonly transmit: (ins: number, data: Uint8Array) => Promise<{ sw: number; data: Uint8Array }>;
  readonly record: (step: Step) => void;
  readonly runId?: string;
  readonly httpMs: number;
  readonly brand: string;
}

/** The shop's answer: the expected message, or a stop naming the shop's refusal. */
function expectFromShop(
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
      `the merchant answered ${sent} with something that is not an embodiment message (${code})`,
    );
  }
  if (wrapper.message.type === "error") {
    if (type === "e1Result") return wrapper; // the card reads the refusal as the outcome
    throw new PurchaseStop("refused", `the merchant refused the ${sent}: ${wrapper.message.value.errorCode}`);
  }
  if (wrapper.message.type !== type)
    throw new PurchaseStop("failed", `the merchant answered the ${sent} with ${wrapper.message.type}`);
  return wrapper;
}

export async function relayEmbodiment1(r: Embodiment1Relay): Promise<Omit<Outcome, "steps">> {
  const { initiation, record } = r;
  const url = initiation.embodimentUrl;
  if (!url) throw new PurchaseStop("failed", "the initiation object names no embodimentUrl");
  const post = async (der: Uint8Array, what: string) => {
    try {
      return await postSet(url, der, {
        timeoutMs: r.httpMs,
        runId: r.runId,
        contentType: SET_PAYMENT_EMBODIMENT,
      });
    } catch (e) {
      if (e instanceof TransportError) throw new PurchaseStop("failed", `sending the ${what}: ${e.message}`);
      throw e;
    }
  };

  const init = buildE1InfoInit({ lid_M: utf8(initiation.lidM) }, new Date());
  record({ step: "E1-1", from: "mediator", to: "merchant", message: "E1InfoInit", bytes: init.length });
  const infoReq = await post(init, "E1InfoInit");
  const req = expectFromShop(infoReq, "e1InfoReq", "E1InfoInit");
  const xid =
    req.message.type === "e1InfoReq" ? Buffer.from(req.message.value.xid).toString("hex") : undefined;
  record({ step: "E1-2", from: "merchant", to: "mediator", message: "E1InfoReq", bytes: infoReq.length });

  // The card checks the request, asks the cardholder, and signs its certificate and card information.
  record({ step: "E1-3", from: "mediator", to: "card", message: "E1InfoReq", bytes: infoReq.length });
  const infoRes = expectOk(INS.E1_CARD_INFO, await r.transmit(INS.E1_CARD_INFO, infoReq));
  record({ step: "E1-4", from: "card", to: "mediator", message: "E1InfoRes", bytes: infoRes.length });

  record({ step: "E1-5", from: "mediator", to: "merchant", message: "E1InfoRes", bytes: infoRes.length });
  let result: Uint8Array;
  try {
    result = await post(infoRes, "E1InfoRes");
  } finally {
    // The card information (the PAN among it) has left for the shop: no copy stays on the PC.
    infoRes.fill(0);
  }
  const answer = expectFromShop(result, "e1Result", "E1InfoRes");
  const refused = answer.message.type === "error" ? answer.message.value.errorCode : undefined;
  record({
    step: "E1-6",
    from: "merchant",
    to: "mediator",
    message: refused ? "Error" : "E1Result",
    bytes: result.length,
    ...(refused ? { detail: refused } : {}),
  });

  const outcome = readPResAnswer(expectOk(INS.E1_RESULT, await r.transmit(INS.E1_RESULT, result)));
  record({
    step: "E1-7",
    from: "mediator",
    to: "card",
    message: refused ? "Error" : "E1Result",
    bytes: result.length,
    detail: outcome.error ?? outcome.completionCode,
  });
  if (outcome.error !== undefined)
    throw new PurchaseStop("refused", `the merchant refused the card information: ${outcome.error}`);
  return {
    outcome: completionOf(outcome, initiation.purchAmt),
    ...(xid ? { xid } : {}),
    completionCode: outcome.completionCode,
    amount: outcome.authAmt ?? initiation.purchAmt,
    brand: r.brand,
  };
}
