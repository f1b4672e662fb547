/** Test-only helpers: never for production parties. */
export {
  type AuthReqOptions,
  type AuthReqParts,
  type BuiltAuthReq,
  buildAuthReq,
  resealAuthReq,
} from "./authReq";
export { sampleInitiation } from "./initiation";
export {
  cachedTestKeyPair,
  createTestParty,
  createTestPki,
  defaultMerchantData,
  generateTestKeyPair,
  type KeyUse,
  type TestParty,
  type TestPki,
} from "./pki";
export { PAN19, purchaseFixture } from "./purchaseFixture";
export { purchaseParts } from "./purchaseParts";
export { revocationFixture } from "./revocation";
