/**
 * SET messages as both ends build and receive them (docs/purchase-flow.md). A receiving party
 * calls the one receive function of the message (docs/checks.md lists what each one checks).
 */
export type { AnsweredRequests } from "./answeredRequests";
export { type OpenAuthReqOptions, type OpenedAuthReq, openAuthReq, sealAuthReq } from "./authReq";
export { type OpenedAuthRes, openAuthRes, sealAuthRes } from "./authRes";
export { bciSequenceNumOf } from "./cardholderRevocation";
export * from "./embodiment1";
export * from "./embodiment2";
export { errorMessage, isErrorMessage, type ReadError, RemoteSetError, readError } from "./errorMessage";
export { checkHeaderDate, defaultMaxClockSkewMs } from "./headerDate";
export { fingerprintOf, type Incoming, type ReadMessage, readMessage } from "./incoming";
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
export {
  type AuthReqAccount,
  type AuthReqReceiver,
  type AuthReqRefusal,
  type ReceivedAuthReq,
  receiveAuthReq,
} from "./receiveAuthReq";
export {
  type AuthResExpectations,
  type AuthResReceiver,
  type AuthResVerdict,
  type ReceivedAuthRes,
  receiveAuthRes,
} from "./receiveAuthRes";
export { type ReceivedError, receiveError } from "./receiveError";
export { type PInitReqReceiver, type ReceivedPInitReq, receivePInitReq } from "./receivePInitReq";
export {
  type PInitResExpectations,
  type PInitResReceiver,
  type ReceivedPInitRes,
  receivePInitRes,
} from "./receivePInitRes";
export { oiDataOf, type PReqReceiver, type ReceivedPReq, receivePReq } from "./receivePReq";
export { type PResReceiveExpectations, receivePRes } from "./receivePRes";
export { takeCrls, withCrls } from "./signedDataCrls";
export { type WrapOptions, type WrapperIds, wrapMessage } from "./wrapper";
