export * from "./cardholder";
export * from "./cardholderCertificate";
export * from "./gateway";
export * from "./hod";
export * from "./merchant";
export * from "./purchaseCheck";
export * from "./transIDs";
export * from "./trustedChain";
