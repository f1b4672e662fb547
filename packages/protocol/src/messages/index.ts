/** SET messages as both ends build and check them (docs/purchase-flow.md). */
export { type OpenedAuthReq, openAuthReq, sealAuthReq } from "./authReq";
export { type OpenedAuthRes, openAuthRes, sealAuthRes } from "./authRes";
export { errorMessage, isErrorMessage, type ReadError, RemoteSetError, readError } from "./errorMessage";
export { checkPartyCertificate, type IntendedParty } from "./partyCertificate";
export {
  type PInitExpectations,
  type PInitResGateway,
  signPInitRes,
  type VerifiedPInitRes,
  type VerifyPInitResOptions,
  verifyPInitRes,
} from "./pInit";
export { type PResExpectations, signPRes, verifyPRes } from "./pRes";
export { takeCrls, withCrls } from "./signedDataCrls";
export { type WrapOptions, type WrapperIds, wrapMessage } from "./wrapper";
