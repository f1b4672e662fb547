/** @setlab/acquirer-server: the payment gateway (AuthReq -> AuthRes) and the issuer simulator behind it. */

export { type GatewayAdminPluginOptions, gatewayAdminPlugin } from "./adminPlugin";
export { type AuthorizationPolicy, defaultPolicy } from "./gateway/authorizationPolicy";
export type { AuthDecision } from "./gateway/authResData";
export { type EnrolledMerchants, parseEnrolledMerchants } from "./gateway/enrolledMerchants";
export { type AuthReqOutcome, Gateway, type GatewayOptions } from "./gateway/gateway";
export type { GatewayBrandKeys } from "./gateway/gatewayKeys";
export {
  accountsFrom,
  enrolledMerchantsFrom,
  gatewayKeysFrom,
  gatewayTrustFrom,
  intermediatesFrom,
} from "./gatewayPki";
export { decideAuthorization, type IssuerDecision } from "./issuer/issuerSimulator";
export { type AuthCode, type RespReason, type TestCardOutcome, testCardOutcomes } from "./issuer/outcomes";
export { type GatewayPluginOptions, gatewayPlugin } from "./plugin";
export {
  buildGatewayAdminServer,
  buildGatewayServer,
  type GatewayAdminServerOptions,
  type GatewayServerOptions,
} from "./server";
export { type AccountRow, type AuthorizationRow, GatewayStore, type NewAccount } from "./store/gatewayStore";
