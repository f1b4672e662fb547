export {
  type E2CardHelloExpectations,
  minCardKeyBits,
  type ReceivedE2CardHello,
  receiveE2CardHello,
  signE2CardHello,
} from "./e2CardHello";
export {
  cardInfoToGatewayTypes,
  receiveE2CardInfo,
  receiveE2CardInfoForCardCompany,
  sealE2CardInfo,
  sealE2CardInfoForCardCompany,
} from "./e2CardInfo";
export { buildE2Init, receiveE2Init } from "./e2Init";
export {
  type E2MerchantHelloExpectations,
  type ReceivedE2MerchantHello,
  receiveE2MerchantHello,
  signE2MerchantHello,
} from "./e2MerchantHello";
export { buildE2OrderForBuyer, isNonForward, readE2OrderForBuyer } from "./e2OrderForBuyer";
export {
  type E2SessionKeyExpectations,
  type ReceivedE2SessionKey,
  receiveE2SessionKey,
  sealE2SessionKey,
  sessionKeyBytes,
} from "./e2SessionKey";
