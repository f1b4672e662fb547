/** Test-only helpers: never for production parties. */
export * from "./pki";
export * from "./purchaseFixture";
export * from "./revocation";
