/**
 * The stand-alone merchant server that `set-merchant serve` runs: a fastify app with the project's
 * logger and nothing registered but the merchant's payment plugin (./plugin.ts), which a shop's own
 * app can register in the same way; and, only when an admin listener is configured, a second app
 * with the back-office plugin (./adminPlugin.ts) behind its access token.
 */
import {
  capConnections,
  fastifyServerOptions,
  type Logger,
  requireAdminToken,
  type ServerLimits,
} from "@setlab/runtime";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type MerchantAdminPluginOptions, merchantAdminPlugin } from "./adminPlugin";
import { type MerchantPluginOptions, merchantPlugin } from "./plugin";

export interface MerchantServerOptions extends MerchantPluginOptions {
  readonly logger: Logger;
  /** Time, memory and connection bounds per client (default: runtime's defaultServerLimits). */
  readonly limits?: ServerLimits;
}

function partyApp(logger: Logger, limits: ServerLimits | undefined): FastifyInstance {
  const app = Fastify({
    ...fastifyServerOptions(limits),
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Fastify's two lines per request ("incoming request", "request completed") were most of the
    // merchant's log volume and cost; the plugin's line per SET request says what an operator needs.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: its reqId correlates nothing the run id and XID do not, and
    // building one per request was the larger part of what logging still cost.
    childLoggerFactory: (parent) => parent,
  });
  capConnections(app.server, limits);
  return app;
}

export function buildMerchantServer(options: MerchantServerOptions): FastifyInstance {
  const { logger, limits, ...plugin } = options;
  const app = partyApp(logger, limits);
  app.register(merchantPlugin, plugin);
  return app;
}

export interface MerchantAdminServerOptions extends MerchantAdminPluginOptions {
  readonly logger: Logger;
  readonly limits?: ServerLimits;
}

/** The admin listener's app: the back-office routes and nothing else. */
export function buildMerchantAdminServer(options: MerchantAdminServerOptions): FastifyInstance {
  const { logger, limits, ...plugin } = options;
  const app = partyApp(logger, limits);
  // The whole listener is the token's, unknown routes included: nobody learns which routes exist.
  requireAdminToken(app, plugin.token);
  app.register(merchantAdminPlugin, plugin);
  return app;
}
