/**
 * The secure card link: ECDH P-256 pairing by a 6-digit code, bonding and resumption with a link key,
 * HKDF-SHA-256, AES-256-GCM records (docs/card-link.md).
 */
export * from "./bond";
export * from "./handshake";
export * from "./keyPairBudget";
export * from "./keySchedule";
export * from "./messages";
export * from "./pairing";
export * from "./pairingThrottle";
export * from "./recordLayer";
export * from "./resumption";
export * from "./secureLinkError";
export * from "./transcript";
