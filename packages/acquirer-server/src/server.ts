/**
 * The stand-alone gateway server that `set-gateway serve` runs: a fastify app with nothing
 * registered but the gateway plugin (./plugin.ts).
 */
import { capConnections, fastifyServerOptions, type Logger, type ServerLimits } from "@setlab/runtime";
import Fastify, { type FastifyInstance } from "fastify";
import { type GatewayPluginOptions, gatewayPlugin } from "./plugin";

export { accountView, authorizationView, maskPan } from "./plugin";

export interface GatewayServerOptions extends GatewayPluginOptions {
  readonly logger: Logger;
  /** Time, memory and connection bounds per client (default: runtime's defaultServerLimits). */
  readonly limits?: ServerLimits;
}

export function buildGatewayServer(options: GatewayServerOptions): FastifyInstance {
  // Fastify logs nothing itself here: the plugin's line per AuthReq is the request's line.
  const { limits, ...plugin } = options;
  const app = Fastify({ ...fastifyServerOptions(limits), logger: false });
  capConnections(app.server, limits);
  app.register(gatewayPlugin, plugin);
  return app;
}
