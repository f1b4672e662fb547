/**
 * The stand-alone merchant server that `set-merchant serve` runs: a fastify app with the project's
 * logger and nothing registered but the merchant plugin (./plugin.ts), which a shop's own app can
 * register in the same way.
 */
import { capConnections, fastifyServerOptions, type Logger, type ServerLimits } from "@setlab/runtime";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type MerchantPluginOptions, merchantPlugin } from "./plugin";

export interface MerchantServerOptions extends MerchantPluginOptions {
  readonly logger: Logger;
  /** Time, memory and connection bounds per client (default: runtime's defaultServerLimits). */
  readonly limits?: ServerLimits;
}

export function buildMerchantServer(options: MerchantServerOptions): FastifyInstance {
  const { logger, limits, ...plugin } = options;
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
  app.register(merchantPlugin, plugin);
  return app;
}
