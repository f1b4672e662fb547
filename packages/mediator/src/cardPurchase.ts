/**
 * Patent steps S34-S37 in one flight (docs/card-link.md, "A flight of commands"): PINIT_RESPONSE,
 * with which the card checks the merchant's PInitRes (chain, roles, thumbs, Chall-C, LID-C), and
 * PURCHASE, with which it builds the PReq (dual signature, PI sealed for the gateway). The card
 * refuses the PURCHASE when it refused the PInitRes, and that first refusal is the one reported.
 */
import {
  encodeCardData,
  encodeDer,
  INS,
  type Initiation,
  schema,
  setProfileOf,
} from "@setlab/protocol/relay";
import { expectOk, type PInitResAnswer, readPInitResAnswer } from "./cardAnswers";
import type { CardAnswer, CardSession } from "./cardSession";
import type { MerchantReply } from "./merchantChannel";
import type { PReqForm } from "./paymentChoice";
import type { PurchaseTrace } from "./purchaseTrace";

/** The PReq's DER, as the card built it from the shop's order description and amount. */
export async function cardPurchase(
  card: CardSession,
  pInitRes: MerchantReply,
  initiation: Initiation,
  form: PReqForm,
  trace: PurchaseTrace,
  /** Installment or recurring terms the buyer agreed to. */
  terms?: schema.InstallRecurData,
): Promise<Uint8Array> {
  // The PInitRes's check is reported as soon as the card answers it, before the PURCHASE's answer:
  // the card then shows the purchase and may wait for the buyer, who should be told so meanwhile.
  let refusal: unknown;
  const checkedNow = (checked: CardAnswer) => {
    let accepted: PInitResAnswer;
    try {
      accepted = readPInitResAnswer(expectOk(INS.PINIT_RESPONSE, checked));
    } catch (e) {
      refusal = e;
      return;
    }
    trace.facts.xid ??= accepted.xid;
    trace.facts.merchant = { name: accepted.merchantName, merID: accepted.merID };
    trace.record({
      step: "S34-S35",
      from: "mediator",
      to: "card",
      message: "PInitRes",
      bytes: pInitRes.bytes.length,
      detail: `accepted: merchant ${accepted.merchantName ?? accepted.merID ?? "?"}${accepted.gateway ? `, gateway ${accepted.gateway}` : ""}`,
    });
  };
  const [, built] = await card.flight(
    [
      { ins: INS.PINIT_RESPONSE, data: pInitRes.bytes },
      {
        ins: INS.PURCHASE,
        data: encodeCardData("PurchaseInput", {
          od: new Uint8Array(Buffer.from(initiation.od, "base64")),
          purchAmt: initiation.purchAmt,
          profile: setProfileOf(initiation.profile),
          form,
          ...(terms ? { installRecurData: encodeDer(schema.InstallRecurData, terms) } : {}),
        }),
      },
    ],
    (index, answer) => {
      if (index === 0) checkedNow(answer);
    },
  );
  if (refusal !== undefined) throw refusal;
  const pReq = expectOk(INS.PURCHASE, built);
  trace.record({
    step: "S36-S37",
    from: "card",
    to: "mediator",
    message: "PReq",
    bytes: pReq.length,
    detail: form,
  });
  return pReq;
}
