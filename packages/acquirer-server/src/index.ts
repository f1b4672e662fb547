/** @setlab/acquirer-server: the payment gateway (AuthReq -> AuthRes) and the issuer simulator behind it. */

export { type GatewayAdminPluginOptions, gatewayAdminPlugin } from "./adminPlugin";
export * from "./gateway/authorizationPolicy";
export * from "./gateway/authResData";
export * from "./gateway/enrolledMerchants";
export * from "./gateway/gateway";
export * from "./gateway/gatewayKeys";
export * from "./gatewayPki";
export * from "./issuer/issuerSimulator";
export * from "./issuer/outcomes";
export { type GatewayPluginOptions, gatewayPlugin } from "./plugin";
export * from "./server";
export * from "./store/gatewayStore";
