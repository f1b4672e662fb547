/**
 * The stand-alone gateway server that `set-gateway serve` runs: a fastify app with nothing
 * registered but the gateway's payment plugin (./plugin.ts); and, only when an admin listener is
 * configured, a second app with the admin plugin (./adminPlugin.ts) behind its access token.
 */
import {
  capConnections,
  fastifyServerOptions,
  type Logger,
  requireAdminToken,
  type ServerLimits,
} from "@setlab/runtime";
import Fastify, { type FastifyInstance } from "fastify";
import { type GatewayAdminPluginOptions, gatewayAdminPlugin } from "./adminPlugin";
import { type GatewayPluginOptions, gatewayPlugin } from "./plugin";

export { accountView, authorizationView, maskPan } from "./adminPlugin";

export interface GatewayServerOptions extends GatewayPluginOptions {
  readonly logger: Logger;
  /** Time, memory and connection bounds per client (default: runtime's defaultServerLimits). */
  readonly limits?: ServerLimits;
}

function partyApp(limits: ServerLimits | undefined): FastifyInstance {
  // Fastify logs nothing itself here: the plugin's line per AuthReq is the request's line.
  const app = Fastify({ ...fastifyServerOptions(limits), logger: false });
  capConnections(app.server, limits);
  return app;
}

export function buildGatewayServer(options: GatewayServerOptions): FastifyInstance {
  const { limits, ...plugin } = options;
  const app = partyApp(limits);
  app.register(gatewayPlugin, plugin);
  return app;
}

export interface GatewayAdminServerOptions extends GatewayAdminPluginOptions {
  readonly limits?: ServerLimits;
}

/** The admin listener's app: the admin routes and nothing else. */
export function buildGatewayAdminServer(options: GatewayAdminServerOptions): FastifyInstance {
  const { limits, ...plugin } = options;
  const app = partyApp(limits);
  // The whole listener is the token's, unknown routes included: nobody learns which routes exist.
  requireAdminToken(app, plugin.token);
  app.register(gatewayAdminPlugin, plugin);
  return app;
}
