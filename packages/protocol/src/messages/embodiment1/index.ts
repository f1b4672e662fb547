export { type E1AuthReqReceiver, type ReceivedE1AuthReq, receiveE1AuthReq, sealE1AuthReq } from "./e1AuthReq";
export { type E1AuthResExpectations, receiveE1AuthRes, signE1AuthRes } from "./e1AuthRes";
export { buildE1InfoInit, type E1InfoInitReceiver, receiveE1InfoInit } from "./e1InfoInit";
export {
  buildE1InfoReq,
  type E1InfoReqExpectations,
  type E1InfoReqReceiver,
  receiveE1InfoReq,
} from "./e1InfoReq";
export {
  type E1InfoResExpectations,
  type E1InfoResReceiver,
  type ReceivedE1InfoRes,
  receiveE1InfoRes,
  signE1InfoRes,
} from "./e1InfoRes";
export { type E1ResultExpectations, type ReceivedE1Result, receiveE1Result, signE1Result } from "./e1Result";
export {
  type EmbodimentIncoming,
  embodimentRefusal,
  isEmbodimentRefusal,
  readEmbodiment,
  wrapEmbodiment,
} from "./envelope";
