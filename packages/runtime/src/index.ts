/** @setlab/runtime: the Node shell every SET party shares. Pure protocol logic stays in @setlab/protocol. */
export * from "./durableStore";
export * from "./faultSwitches";
export * from "./httpClient";
export * from "./labPki";
export * from "./logger";
export * from "./ownerOnly";
export * from "./ready";
export * from "./serverLimits";
export * from "./setHttp";
