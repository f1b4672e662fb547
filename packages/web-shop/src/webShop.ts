/**
 * The reference web shop as one fastify app: the shop's pages (./webShopPlugin.ts) and, under
 * `payPrefix`, the merchant SDK's payment plugin, registered exactly as the merchant-server README
 * tells an outside shop to. The back office (creating orders by hand, order details) is not
 * exposed: the shop creates orders through the SDK core at checkout.
 */
import { merchantPlugin } from "@setlab/merchant-server";
import { fastifyServerOptions, type Logger } from "@setlab/runtime";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { type WebShopPluginOptions, webShopPlugin } from "./webShopPlugin";

export interface WebShopOptions extends WebShopPluginOptions {
  /** The origin buyers reach the shop at (the initiation object's URLs); default where it listens. */
  readonly publicUrl?: string;
  /** How often the merchant settles authorizations in doubt (ms, default 5000; false: never). */
  readonly settleEveryMs?: number | false;
  readonly logger?: Logger;
}

export function buildWebShop(options: WebShopOptions): FastifyInstance {
  const { publicUrl, settleEveryMs, logger, ...shop } = options;
  const app = Fastify({
    ...fastifyServerOptions(),
    ...(logger ? { loggerInstance: logger as unknown as FastifyBaseLogger } : {}),
  });
  const prefix = (shop.payPrefix ?? "/pay").replace(/\/+$/, "");
  app.register(merchantPlugin, {
    merchant: shop.merchant,
    prefix,
    ...(publicUrl ? { publicUrl } : {}),
    ...(settleEveryMs === undefined ? {} : { settleEveryMs }),
  });
  app.register(webShopPlugin, { ...shop, payPrefix: prefix });
  return app;
}
