/** @setlab/runtime: the Node shell every SET party shares. Pure protocol logic stays in @setlab/protocol. */
export * from "./adminAccess";
export * from "./cliIo";
export * from "./cliRunner";
export * from "./durableStore";
export * from "./faultSwitches";
export * from "./httpClient";
export * from "./labPki";
export * from "./labPkiError";
export * from "./labPkiManifest";
export * from "./labRevocation";
export * from "./logger";
export * from "./ownerOnly";
export * from "./partyServe";
export * from "./passphrase";
export * from "./ready";
export * from "./serverLimits";
export * from "./setHttp";
