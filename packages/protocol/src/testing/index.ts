/** Test-only helpers: never for production parties. */
export {
  type AuthReqCard,
  type AuthReqKeys,
  type AuthReqOptions,
  type AuthReqParts,
  authReqIds,
  type BuiltAuthReq,
  buildAuthReq,
  resealAuthReq,
} from "./authReq";
export { damagedPI, type PILayer, piLayers } from "./damagedPI";
export { sampleInitiation } from "./initiation";
export {
  type CertificateOverrides,
  cachedTestKeyPair,
  createTestParty,
  createTestPki,
  defaultMerchantData,
  freshTestKeyPair,
  generateTestKeyPair,
  type KeyUse,
  type PartyName,
  type PartyProfile,
  partyNames,
  type TestParty,
  type TestPki,
  type TestPkiOptions,
} from "./pki";
export { PAN19, type PurchaseFixture, purchaseFixture } from "./purchaseFixture";
export { type PurchaseParts, type PurchasePartsInput, purchaseParts } from "./purchaseParts";
export { type RevocationFixtureOptions, revocationFixture, type TestCrlOptions } from "./revocation";
export { runShared } from "./runShared";
export { expectSameBytes } from "./sameBytes";
