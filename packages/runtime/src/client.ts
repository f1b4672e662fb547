/**
 * `@setlab/runtime/client`: the part of the runtime a program that calls the parties needs (the
 * mediator, the lab's command line): SET over HTTP as a client, the command-line runner, the
 * logger, admin access, owner-only files, the card-link bond kept in the Linux keyring and the lab
 * PKI directory's reader. It leaves out the servers, the durable store and the lab PKI's
 * revocation source, which load the whole protocol library, so a mediator starts after loading
 * about half of the modules (docs/performance.md). Every name here is also exported by
 * `@setlab/runtime`, the same object.
 */
export {
  type AdminAccess,
  AdminTokenError,
  adminFetch,
  adminHeaders,
  readAdminTokenFile,
} from "./adminAccess";
export { bufferIo, type CliIo, processIo } from "./cliIo";
export { type CliProgram, firstLine, type MainOptions, runCli, runMain, UsageError } from "./cliRunner";
export { createDeferredLogger } from "./deferredLogger";
export { HttpClientError, type HttpRequestOptions, type HttpResponse, httpRequest } from "./httpClient";
export {
  hasKeyctl,
  KeyringBondKeeper,
  type KeyringBondKeeperOptions,
} from "./keyringBondKeeper";
export { type KeyUse, type LabCardData, LabPki } from "./labPki";
export { LabPkiError } from "./labPkiError";
export { createLogger, type Logger, type LoggerOptions } from "./logger";
export { ensureOwnerOnlyDir, readOwnerOnlyFile, writeOwnerOnlyFile } from "./ownerOnly";
export {
  type PostSetOptions,
  postSet,
  RUN_ID_HEADER,
  SET_PAYMENT,
  SET_PAYMENT_EMBODIMENT,
  SET_PAYMENT_INITIATION,
  SET_PAYMENT_INQUIRY,
  TransportError,
} from "./setHttp";
