/**
 * SET messages as both ends build and receive them (docs/purchase-flow.md). A receiving party
 * calls the one receive function of the message (docs/checks.md lists what each one checks).
 */
export type { AnsweredRequests } from "./answeredRequests";
export { type OpenAuthReqOptions, type OpenedAuthReq, openAuthReq, sealAuthReq } from "./authReq";
export { type OpenedAuthRes, openAuthRes, sealAuthRes } from "./authRes";
export { type OpenedAuthRevReq, openAuthRevReq, sealAuthRevReq } from "./authRevReq";
export { type OpenedAuthRevRes, openAuthRevRes, sealAuthRevRes } from "./authRevRes";
export { type AuthTokenKeys, type OpenedAuthToken, openAuthToken, sealAuthToken } from "./authToken";
export {
  type AuthTokenTerms,
  type FirstAuthorization,
  firstAuthTokenTerms,
  judgeSchedule,
  nextAuthTokenTerms,
  type ScheduleRefusal,
} from "./authTokenSchedule";
export {
  type OpenedBatchAdminReq,
  type OpenedBatchAdminRes,
  openBatchAdminReq,
  openBatchAdminRes,
  sealBatchAdminReq,
  sealBatchAdminRes,
} from "./batchAdmin";
export { maxCapItems, type OpenCapReqOptions, type OpenedCapReq, openCapReq, sealCapReq } from "./capReq";
export { type OpenedCapRes, openCapRes, sealCapRes } from "./capRes";
export {
  receiveCapRevReq,
  receiveCapRevRes,
  receiveCredReq,
  receiveCredRes,
  receiveCredRevReq,
  receiveCredRevRes,
  sealCapRevReq,
  sealCapRevRes,
  sealCredReq,
  sealCredRes,
  sealCredRevReq,
  sealCredRevRes,
} from "./capRevAndCred";
export {
  type CapRevOrCredKind,
  type CapRevOrCredReq,
  type CapRevOrCredRes,
  capRevOrCredKinds,
  type OpenedCapRevOrCredReq,
  type OpenedCapRevOrCredRes,
  openCapRevOrCredReq,
  openCapRevOrCredRes,
  sealCapRevOrCredReq,
  sealCapRevOrCredRes,
} from "./capRevOrCred";
export { type CaptureJudgement, type CaptureStanding, judgeAgainstCapture } from "./capRevOrCredAmount";
export { type CapTokenKeys, type OpenedCapToken, openCapToken, sealCapToken } from "./capToken";
export { bciSequenceNumOf } from "./cardholderRevocation";
export {
  type E1AuthReqReceiver,
  type ReceivedE1AuthReq,
  receiveE1AuthReq,
  sealE1AuthReq,
} from "./embodiment1/e1AuthReq";
export { type E1AuthResExpectations, receiveE1AuthRes, signE1AuthRes } from "./embodiment1/e1AuthRes";
export { buildE1InfoInit, type E1InfoInitReceiver, receiveE1InfoInit } from "./embodiment1/e1InfoInit";
export {
  buildE1InfoReq,
  type E1InfoReqExpectations,
  type E1InfoReqReceiver,
  receiveE1InfoReq,
} from "./embodiment1/e1InfoReq";
export {
  type E1InfoResExpectations,
  type E1InfoResReceiver,
  type ReceivedE1InfoRes,
  receiveE1InfoRes,
  signE1InfoRes,
} from "./embodiment1/e1InfoRes";
export {
  type E1ResultExpectations,
  type ReceivedE1Result,
  receiveE1Result,
  signE1Result,
} from "./embodiment1/e1Result";
export {
  type EmbodimentIncoming,
  embodimentRefusal,
  isEmbodimentRefusal,
  readEmbodiment,
  wrapEmbodiment,
} from "./embodiment1/envelope";
export {
  type E2CardHelloExpectations,
  minCardKeyBits,
  type ReceivedE2CardHello,
  receiveE2CardHello,
  signE2CardHello,
} from "./embodiment2/e2CardHello";
export {
  receiveE2CardInfo,
  receiveE2CardInfoForCardCompany,
  sealE2CardInfo,
  sealE2CardInfoForCardCompany,
} from "./embodiment2/e2CardInfo";
export { buildE2Init, receiveE2Init } from "./embodiment2/e2Init";
export {
  type E2MerchantHelloExpectations,
  type ReceivedE2MerchantHello,
  receiveE2MerchantHello,
  signE2MerchantHello,
} from "./embodiment2/e2MerchantHello";
export { buildE2OrderForBuyer, isNonForward, readE2OrderForBuyer } from "./embodiment2/e2OrderForBuyer";
export {
  type E2SessionKeyExpectations,
  type ReceivedE2SessionKey,
  receiveE2SessionKey,
  sealE2SessionKey,
  sessionKeyBytes,
} from "./embodiment2/e2SessionKey";
export { errorMessage, isErrorMessage, type ReadError, RemoteSetError, readError } from "./errorMessage";
export { checkHeaderDate, defaultMaxClockSkewMs } from "./headerDate";
export { fingerprintOf, type Incoming, type ReadMessage, readMessage } from "./incoming";
export { buildInqReq, type InqReqInput } from "./inqReq";
export { signInqRes } from "./inqRes";
export { checkStatusOfPurchase } from "./inquiredStatus";
export { inquiryProofExtension, provesPurchase } from "./inquiryProof";
export {
  type AuthTokenReceiver,
  type AuthTokenRefusal,
  judgeAuthToken,
  type SubsequentAuthorization,
} from "./judgeAuthToken";
export { checkPartyCertificate, type IntendedParty } from "./partyCertificate";
export { signPCertReq } from "./pCertReq";
export { signPCertRes } from "./pCertRes";
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
export {
  type AuthReversal,
  type AuthRevReqReceiver,
  type JudgedAuthReversal,
  newAmountOf,
  type ReceivedAuthRevReq,
  type RecordedAuthorization,
  type RefusedAuthReversal,
  receiveAuthRevReq,
  sameNewAmount,
} from "./receiveAuthRevReq";
export {
  type AuthRevResExpectations,
  type AuthRevResReceiver,
  type AuthRevVerdict,
  type ReceivedAuthRevRes,
  receiveAuthRevRes,
} from "./receiveAuthRevRes";
export {
  type BatchAdminReqReceiver,
  type ReceivedBatchAdminReq,
  receiveBatchAdminReq,
} from "./receiveBatchAdminReq";
export {
  type BatchAdminResExpectations,
  type BatchAdminResReceiver,
  type ReceivedBatchAdminRes,
  receiveBatchAdminRes,
} from "./receiveBatchAdminRes";
export {
  type CapReqReceiver,
  type CaptureItem,
  type JudgedCaptureItem,
  type ReceivedCapReq,
  type RefusedCaptureItem,
  receiveCapReq,
} from "./receiveCapReq";
export {
  type CapResExpectations,
  type CapResReceiver,
  type CaptureAsked,
  type CaptureVerdict,
  type ReceivedCapRes,
  type ReceivedCaptureItem,
  receiveCapRes,
} from "./receiveCapRes";
export {
  type CapRevOrCredItem,
  type CapRevOrCredRefusal,
  type CapRevOrCredReqReceiver,
  type JudgedCapRevOrCredItem,
  type ReceivedCapRevOrCredReq,
  type RefusedCapRevOrCredItem,
  receiveCapRevOrCredReq,
} from "./receiveCapRevOrCredReq";
export {
  type CapRevOrCredAsked,
  type CapRevOrCredResExpectations,
  type CapRevOrCredResReceiver,
  type CapRevOrCredVerdict,
  type ReceivedCapRevOrCredItem,
  type ReceivedCapRevOrCredRes,
  receiveCapRevOrCredRes,
} from "./receiveCapRevOrCredRes";
export { type ReceivedError, receiveError } from "./receiveError";
export {
  type InqReqReceiver,
  type InquiredPurchase,
  type ReceivedInqReq,
  receiveInqReq,
} from "./receiveInqReq";
export { type InqResExpectations, receiveInqRes } from "./receiveInqRes";
export { type PCertReqReceiver, type ReceivedPCertReq, receivePCertReq } from "./receivePCertReq";
export {
  type FetchedGatewayCertificate,
  type PCertResExpectations,
  type ReceivedPCertRes,
  receivePCertRes,
} from "./receivePCertRes";
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
export {
  authTokenPIDer,
  type SubsequentAuthReqInput,
  sealSubsequentAuthReq,
  subsequentAuthReqData,
} from "./subsequentAuthReq";
export { type WrapOptions, type WrapperIds, wrapMessage } from "./wrapper";
