export { hashedAccountId } from "./accountId";
export {
  signBrandCRLIdentifier,
  type VerifiedBrandCRLIdentifier,
  verifyBrandCRLIdentifier,
} from "./brandCRLIdentifier";
export {
  type CertificateInput,
  type ValidateChainOptions,
  type ValidatedChain,
  validateChain,
} from "./chain";
export { caRoles, isCaRole, mayIssue, X509Extension } from "./profile";
export { type CertificateUse, checkCertificateUse, checkSetProfile, type IntendedUse } from "./profileChecks";
export {
  checkRevocation,
  type ParsedCrl,
  type PreparedCrl,
  parseCrl,
  prepareCrl,
  prepareRevocation,
  type RevocationInput,
} from "./revocation";
export { verifyNextRoot } from "./rootRollover";
export { type KeyUsageName, parseSetCertificate, SetCertificate } from "./setCertificate";
export { checkThumb, thumbOf } from "./thumb";
export type { Revocation, Trust } from "./trust";
export { ValidatedChainCache } from "./validatedChainCache";
