/** Test-only helpers: never for production parties. */
export * from "./authReq";
export * from "./damagedPI";
export * from "./initiation";
export * from "./pki";
export * from "./purchaseFixture";
export * from "./purchaseParts";
export * from "./revocation";
