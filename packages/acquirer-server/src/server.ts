/**
 * The stand-alone gateway server that `set-gateway serve` runs: a fastify app with nothing
 * registered but the gateway plugin (./plugin.ts).
 */
import type { Logger } from "@setlab/runtime";
import Fastify, { type FastifyInstance } from "fastify";
import { type GatewayPluginOptions, gatewayPlugin } from "./plugin";

export { accountView, authorizationView, maskPan } from "./plugin";

export interface GatewayServerOptions extends GatewayPluginOptions {
  readonly logger: Logger;
}

export function buildGatewayServer(options: GatewayServerOptions): FastifyInstance {
  // Fastify logs nothing itself here: the plugin's line per AuthReq is the request's line.
  const app = Fastify({ logger: false });
  app.register(gatewayPlugin, options);
  return app;
}
