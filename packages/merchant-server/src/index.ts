/** @setlab/merchant-server: the merchant SDK core (embeddable), its SQLite store and its HTTP shell. */
export * from "./adminPlugin";
export * from "./core/authorization";
export type { CallContext, SetOutcome } from "./core/context";
export * from "./core/gatewayClient";
export * from "./core/initiation";
export * from "./core/merchant";
export * from "./core/merchantConfig";
export * from "./core/newOrder";
export * from "./core/order";
export * from "./core/orderState";
export * from "./httpGatewayClient";
export * from "./labMerchantConfig";
export * from "./plugin";
export * from "./server";
export * from "./store/repository";
export * from "./store/sqliteRepository";
