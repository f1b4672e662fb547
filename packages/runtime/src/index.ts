/** @setlab/runtime: the Node shell every SET party shares. Pure protocol logic stays in @setlab/protocol. */
export {
  type AdminAccess,
  type AdminListener,
  AdminTokenError,
  adminFetch,
  adminHeaders,
  adminListenerFromArgs,
  bearerTokenMatches,
  readAdminTokenFile,
  requireAdminToken,
  writeAdminTokenFile,
} from "./adminAccess";
export { bufferIo, type CliIo, processIo } from "./cliIo";
export { type CliProgram, firstLine, type MainOptions, runCli, runMain, UsageError } from "./cliRunner";
export { createDeferredLogger } from "./deferredLogger";
export {
  type DurableWriter,
  durableWriter,
  type GroupCommitOptions,
  type GroupCommitStats,
  GroupCommitWriter,
  SqliteConnection,
  type SqlRows,
  type SqlStatement,
  type SqlValue,
  type SqlWrite,
  StoreWriteError,
  type WriteFailure,
  WriteRefusedError,
} from "./durableStore";
export { FaultPlanError, type FaultPlanHolder, faultsAllowed, registerFaultRoutes } from "./faultSwitches";
export { HttpClientError, type HttpRequestOptions, type HttpResponse, httpRequest } from "./httpClient";
export {
  hasKeyctl,
  KeyringBondKeeper,
  type KeyringBondKeeperOptions,
} from "./keyringBondKeeper";
export { type KeyUse, type LabCardData, LabPki } from "./labPki";
export { LabPkiError } from "./labPkiError";
export {
  fsReason,
  type LabPkiBci,
  type LabPkiCrl,
  type LabPkiEntry,
  type LabPkiManifest,
  labPkiFormat,
  manifestFile,
  readLabPkiManifest,
  writeLabPkiManifest,
} from "./labPkiManifest";
export {
  type BrandRevocation,
  defaultRevocationPollMs,
  type LabRevocationOptions,
  LabRevocationSource,
  loadLabRevocation,
  logRevocation,
  type RevocationEvent,
  type RevocationSnapshot,
  type RevocationSource,
  withCurrentRevocation,
} from "./labRevocation";
export { createLogger, type Logger, type LoggerOptions } from "./logger";
export { ensureOwnerOnlyDir, ensureOwnerOnlyFile, readOwnerOnlyFile, writeOwnerOnlyFile } from "./ownerOnly";
export { PartyDirectory, type PartyListeners, serveParty } from "./partyServe";
export { keyPassphrase, labPassphrase, passphraseVariable } from "./passphrase";
export { announceListening, type Listening, type StartedParty, startParty } from "./ready";
export { capConnections, defaultServerLimits, fastifyServerOptions, type ServerLimits } from "./serverLimits";
export {
  defaultSetBodyLimit,
  type PostSetOptions,
  postSet,
  RUN_ID_HEADER,
  registerSetRoute,
  runIdOf,
  SET_PAYMENT,
  SET_PAYMENT_EMBODIMENT,
  SET_PAYMENT_INITIATION,
  SET_PAYMENT_INQUIRY,
  SET_REGISTRATION,
  type SetHandler,
  TransportError,
} from "./setHttp";
