/**
 * Which brand and which PReq form the purchase uses, against the shop's rules in the initiation
 * object: the brand is the caller's or the card's own and must be one the shop accepts; the
 * unsigned form only where the shop allows it for that brand. Refused before anything is signed.
 */
import type { Initiation } from "@setlab/protocol/relay";
import { PurchaseStop } from "./cardAnswers";

export type PReqForm = "dualSigned" | "unsigned";

export interface PaymentChoice {
  readonly brand: string;
  readonly form: PReqForm;
}

export function choosePayment(
  initiation: Pick<Initiation, "brands" | "unsignedAllowed">,
  cardBrand: string,
  asked: { readonly brand?: string; readonly form?: PReqForm },
): PaymentChoice {
  const brand = asked.brand ?? cardBrand;
  if (!initiation.brands.includes(brand))
    throw new PurchaseStop(
      "refused",
      `the shop does not accept ${brand} (it accepts ${initiation.brands.join(", ")})`,
    );
  if (asked.form === "unsigned" && !initiation.unsignedAllowed.includes(brand))
    throw new PurchaseStop("refused", `the shop does not take unsigned purchases for ${brand}`);
  return { brand, form: asked.form === "unsigned" ? "unsigned" : "dualSigned" };
}
