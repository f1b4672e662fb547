export * from "./brandCRLIdentifier";
export * from "./certificateCache";
export * from "./chain";
export type { CryptoSource } from "./cryptoSource";
export * from "./profile";
export * from "./profileChecks";
export * from "./rootRollover";
export * from "./setCertificate";
export * from "./thumb";
