/**
 * The time and memory one client may hold on a party's HTTP listener (merchant, gateway, CA), and
 * the number of connections all clients may hold. A client that sends its headers or body slowly,
 * or opens connections and sends nothing, is cut off instead of pinning memory and sockets.
 * Worst-case body memory is `maxConnections x` the listener's body limit (256 x 256 KiB = 64 MiB
 * for a SET endpoint).
 */
import type { Server } from "node:http";

export interface ServerLimits {
  /** Connections open at once; one more is closed as soon as it is accepted. */
  readonly maxConnections: number;
  /** The whole request, first byte to last, must arrive within this (ms). */
  readonly requestTimeoutMs: number;
  /** The request's headers must arrive within this (ms). */
  readonly headersTimeoutMs: number;
  /** A connection with no traffic at all is closed after this (ms). */
  readonly idleTimeoutMs: number;
  /** An idle kept-alive connection between requests is closed after this (ms). */
  readonly keepAliveTimeoutMs: number;
  /** How often the server looks for requests past their time (ms): the precision of the two above. */
  readonly checkEveryMs: number;
}

export const defaultServerLimits: ServerLimits = {
  maxConnections: 256,
  requestTimeoutMs: 15_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  checkEveryMs: 1000,
};

/**
 * No route of ours declares a JSON schema: every body is SET DER or checked by its own parser. So
 * fastify is given compilers that refuse, instead of loading Ajv and fast-json-stringify at start
 * (about 100 ms of CPU in each party's start); a route that declares a schema fails at registration.
 */
const noJsonSchemas = {
  compilersFactory: {
    buildValidator: () => {
      throw new Error("this server compiles no JSON schemas: its routes check their bodies themselves");
    },
    buildSerializer: () => {
      throw new Error("this server compiles no JSON schemas: its routes write their answers themselves");
    },
  },
};

/**
 * The fastify options that carry the limits (and refuse JSON schemas); `capConnections` adds the
 * connection cap once created.
 */
export function fastifyServerOptions(limits: ServerLimits = defaultServerLimits) {
  return {
    schemaController: noJsonSchemas,
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
  };
}

export function capConnections(server: Server, limits: ServerLimits = defaultServerLimits): void {
  server.maxConnections = limits.maxConnections;
}
