/**
 * The secure card link: ECDH P-256 pairing by a 6-digit code, bonding and resumption with a link key,
 * HKDF-SHA-256, AES-256-GCM records (docs/card-link.md).
 */
export {
  bondIdFromHex,
  bondIdHex,
  importLinkKey,
  isBondId,
  LINK_KEY_LENGTH,
  type LinkBond,
  type NewBond,
} from "./bond";
export {
  alertFrame,
  type HandshakeStep,
  PcHandshake,
  type PcPairingOptions,
  PhoneHandshake,
  type PhonePairingOptions,
  type SecureSession,
} from "./handshake";
export { KeyPairBudget, type KeyPairBudgetOptions } from "./keyPairBudget";
export { BOND_ID_LENGTH, decodeHandshake, encodeHandshake, HelloFlags, MessageType } from "./messages";
export {
  CODE_BITS,
  codeBit,
  isPairingCode,
  openCommitment,
  pairingCommitment,
  randomPairingCode,
} from "./pairing";
export { PairingThrottle } from "./pairingThrottle";
export { ContentType, MIN_RECORD, RecordReader, RecordWriter } from "./recordLayer";
export { type BondLookup, PcResumeHandshake, PhoneResumeHandshake } from "./resumption";
export { SecureLinkError, type SecureLinkFailure } from "./secureLinkError";
