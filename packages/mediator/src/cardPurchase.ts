/** Patent steps S36-S37: the card builds the PReq (dual signature, PI sealed for the gateway). */
import { encodeCardData, INS, type Initiation, setProfileOf } from "@setlab/protocol";
import type { CardSession } from "./cardSession";
import type { PReqForm } from "./paymentChoice";
import type { PurchaseTrace } from "./purchaseTrace";

/** The PReq's DER, as the card built it from the shop's order description and amount. */
export async function cardPurchase(
  card: CardSession,
  initiation: Initiation,
  form: PReqForm,
  trace: PurchaseTrace,
): Promise<Uint8Array> {
  const pReq = await card.command(
    INS.PURCHASE,
    encodeCardData("PurchaseInput", {
      od: new Uint8Array(Buffer.from(initiation.od, "base64")),
      purchAmt: initiation.purchAmt,
      profile: setProfileOf(initiation.profile),
      form,
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
