/** A valid initiation object (docs/purchase-flow.md's example), for tests that read or serve one. */
import { type Initiation, initiationFormat } from "../initiation";

export const sampleInitiation: Initiation = {
  format: initiationFormat,
  setUrl: "http://127.0.0.1:8401/set",
  orderUrl: "http://127.0.0.1:8401/orders/7",
  brands: ["Visa", "MasterCard"],
  lidM: "order-7",
  purchAmt: { currency: 392, amount: 12800, amtExp10: 0 },
  od: Buffer.from("1 x SET Lab mug").toString("base64"),
  language: "en",
  profile: "set",
  unsignedAllowed: ["MasterCard"],
  returnUrl: "http://127.0.0.1:8401/orders/7/done",
};
