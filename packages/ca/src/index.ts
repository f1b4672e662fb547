export { type BciParams, publishBrandCRLIdentifier } from "./brandCrlIdentifier";
export {
  type CardholderAccount,
  CertificateAuthority,
  type CertificateAuthorityOptions,
  type IssuedCertificate,
  type IssueRequest,
  type RootOptions,
} from "./certificateAuthority";
export { buildCertificate, buildCrl, signedObjectThumb, subjectName } from "./certificateBuilder";
// The PKI directory `set-ca init` writes; buildCaServer over pkiBackend(it) is what `set-ca serve` runs.
export { PkiDirectory } from "./cli/pkiDirectory";
export { CaError, type CaErrorReason, caErrorReasons } from "./errors";
export {
  type BrandCas,
  createHierarchy,
  generateCaKeyPair,
  type Hierarchy,
  type HierarchyOptions,
} from "./hierarchy";
export {
  type CertificateProfile,
  isProfileName,
  type KeyPurpose,
  type ProfileName,
  profileNames,
  profiles,
  type SubjectForm,
} from "./profiles";
export {
  buildCaServer,
  type CaBackend,
  type CaPluginOptions,
  type CaServerOptions,
  caPlugin,
  type ErrorBody,
} from "./server";
export { pkiBackend } from "./server/pkiBackend";
export {
  type BciRecord,
  type CaStore,
  type CrlRecord,
  type IssuanceRecord,
  isRevocationReason,
  type RevocationReason,
  type RevokedEntry,
  revocationReasons,
  SqliteCaStore,
  type StoredCertificate,
} from "./store";
