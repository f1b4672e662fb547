/** Patent steps S36-S37: the card builds the PReq (dual signature, PI sealed for the gateway). */
import {
  encodeCardData,
  encodeDer,
  INS,
  type Initiation,
  schema,
  setProfileOf,
} from "@setlab/protocol/relay";
import type { CardSession } from "./cardSession";
import type { PReqForm } from "./paymentChoice";
import type { PurchaseTrace } from "./purchaseTrace";

/** The PReq's DER, as the card built it from the shop's order description and amount. */
export async function cardPurchase(
  card: CardSession,
  initiation: Initiation,
  form: PReqForm,
  trace: PurchaseTrace,
  /** Installment or recurring terms the buyer agreed to. */
  terms?: schema.InstallRecurData,
): Promise<Uint8Array> {
  const pReq = await card.command(
    INS.PURCHASE,
    encodeCardData("PurchaseInput", {
      od: new Uint8Array(Buffer.from(initiation.od, "base64")),
      purchAmt: initiation.purchAmt,
      profile: setProfileOf(initiation.profile),
      form,
      ...(terms ? { installRecurData: encodeDer(schema.InstallRecurData, terms) } : {}),
    }),
  );
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
