export {
  type BciRecord,
  type CaStore,
  type CrlRecord,
  type IssuanceRecord,
  isRevocationReason,
  type RevocationReason,
  type RevokedEntry,
  revocationReasons,
  type StoredCertificate,
} from "./caStore";
export { SqliteCaStore } from "./sqliteCaStore";
