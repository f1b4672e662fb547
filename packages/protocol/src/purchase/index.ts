export {
  type BuiltPReq,
  buildPReqDualSigned,
  buildPReqUnsigned,
  type DualSignedPurchase,
  type UnsignedPurchase,
} from "./cardholder";
export { type AuthorizationContext, type OpenedPI, openPIDualSigned, openPIUnsigned } from "./gateway";
export { computeHOD } from "./hod";
export { type MerchantOrder, type VerifiedPReq, verifyPReqAsMerchant } from "./merchant";
export { type PurchaseCheck, PurchaseCheckError, purchaseChecks } from "./purchaseCheck";
