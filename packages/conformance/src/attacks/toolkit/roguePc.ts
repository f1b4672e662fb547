/**
 * The rogue PC: it plays the shopper's browser and the mediator at once, so it holds every byte
 * that crosses the PC (initiation object, PInitReq, PInitRes, PReq, PRes) and can replay, alter or
 * withhold any of them. `preparePurchase` runs a genuine purchase up to the card's PReq and stops
 * there, before anything reaches the merchant's purchase step.
 */
import { encodeCardData, INS, type Initiation, setProfileOf } from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import { type CreatedOrder, createOrder, fetchInitiation, type OrderSpec, postRaw } from "./labHttp";
import { type CardAnswer, describeCardAnswer, RogueCard, SW_OK } from "./rogueCard";
import { describeAnswer, readSetAnswer } from "./setAnswer";

/** The Visa test card that the issuer simulator approves. */
export const approveCard = "visa-approve";

export interface PreparedPurchase {
  readonly order: CreatedOrder;
  readonly initiation: Initiation;
  readonly card: RogueCard;
  readonly cardId: string;
  readonly pInitReq: Uint8Array;
  readonly pInitRes: Uint8Array;
  /** The XID the merchant assigned in PInitRes, hex. */
  readonly xid: string;
}

export interface PrepareOptions extends OrderSpec {
  readonly cardId?: string;
  /** Pay this order (already created) instead of creating one. */
  readonly order?: CreatedOrder;
}

/** Order, initiation, card session, PInitReq to the merchant and its PInitRes accepted by the card. */
export async function prepareInitialized(
  target: AttackTarget,
  options: PrepareOptions = {},
): Promise<PreparedPurchase> {
  const cardId = options.cardId ?? approveCard;
  const order = options.order ?? (await createOrder(target, options));
  const initiation = await fetchInitiation(target, order.id);
  const card = await RogueCard.connect(target);
  try {
    const { brand } = await card.open(cardId, target.pin);
    const pInitReq = await card.must(
      INS.PINIT_REQUEST,
      encodeCardData("PInitRequestInput", { brand, lidM: initiation.lidM, language: initiation.language }),
    );
    const answer = await postRaw(initiation.setUrl, pInitReq);
    const read = await readSetAnswer(answer);
    if (read.kind !== "message" || read.type !== "purchaseInitResponse" || !read.xid)
      throw new Error(`the merchant answered the PInitReq with ${describeAnswer(read)}`);
    const accepted: CardAnswer = await card.pInitResponse(answer.bytes);
    if (accepted.sw !== SW_OK)
      throw new Error(`the card refused the genuine PInitRes: ${describeCardAnswer(accepted)}`);
    return { order, initiation, card, cardId, pInitReq, pInitRes: answer.bytes, xid: read.xid };
  } catch (e) {
    await card.close();
    throw e;
  }
}

export interface PreparedPReq extends PreparedPurchase {
  /** The card's PReq (MessageWrapper DER), not yet sent to the merchant. */
  readonly pReq: Uint8Array;
}

/** A genuine purchase up to the card's PReq, which is returned unsent. */
export async function preparePReq(
  target: AttackTarget,
  options: PrepareOptions & { form?: "dualSigned" | "unsigned" } = {},
): Promise<PreparedPReq> {
  const prepared = await prepareInitialized(target, options);
  const { initiation, card } = prepared;
  const answer = await card.purchase({
    od: initiation.od,
    purchAmt: initiation.purchAmt,
    profile: setProfileOf(initiation.profile),
    form: options.form ?? "dualSigned",
  });
  if (answer.sw !== SW_OK) {
    await card.close();
    throw new Error(`the card did not build the PReq: ${describeCardAnswer(answer)}`);
  }
  return { ...prepared, pReq: answer.data };
}

export interface CompletedPurchase extends PreparedPReq {
  /** The merchant's PRes to the PReq. */
  readonly pRes: Uint8Array;
}

/** A genuine purchase to its end: the PReq sent, the PRes given to the card. */
export async function completePurchase(
  target: AttackTarget,
  options: PrepareOptions = {},
): Promise<CompletedPurchase> {
  const prepared = await preparePReq(target, options);
  try {
    const answer = await postRaw(prepared.initiation.setUrl, prepared.pReq);
    const read = await readSetAnswer(answer);
    if (read.kind !== "message" || read.type !== "purchaseResponse")
      throw new Error(`the merchant answered the genuine PReq with ${describeAnswer(read)}`);
    await prepared.card.purchaseResponse(answer.bytes);
    return { ...prepared, pRes: answer.bytes };
  } catch (e) {
    await prepared.card.close();
    throw e;
  }
}
