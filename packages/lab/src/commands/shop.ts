/**
 * `set-lab shop`: the reference web shop (@setlab/web-shop) in this process, against the running
 * lab: the lab's PKI for the merchant's keys and the lab's gateway for both brands. It runs until
 * interrupted; its database is HOME/web-shop.sqlite.
 */
import * as path from "node:path";
import type { InitiationProfile } from "@setlab/protocol";
import { createLogger } from "@setlab/runtime";
import { buildWebShop, openShopMerchant } from "@setlab/web-shop";
import type { FastifyInstance } from "fastify";
import { LabFailure, readState } from "../labState";

export interface ShopOptions {
  readonly home: string;
  readonly port: number;
  readonly host?: string;
  readonly profiles?: readonly InitiationProfile[];
}

export interface RunningShop {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startShop(options: ShopOptions): Promise<RunningShop> {
  const state = readState(options.home);
  const gatewaySet = `${state.parties.gateway.url.replace(/\/+$/, "")}/set`;
  const logger = createLogger("web-shop", { level: process.env.SETLAB_LOG_LEVEL ?? "warn" });
  const shop = await openShopMerchant({
    pki: state.pki,
    db: path.join(path.resolve(options.home), "web-shop.sqlite"),
    gateways: { Visa: gatewaySet, MasterCard: gatewaySet },
    logger,
  });
  const app = buildWebShop({
    merchant: shop.merchant,
    profiles: options.profiles ?? ["set", "hardened"],
    logger,
  });
  let url: string;
  try {
    url = await app.listen({ port: options.port, host: options.host ?? "127.0.0.1" });
  } catch (e) {
    await shop.close();
    throw new LabFailure(`the shop cannot listen on port ${options.port}: ${(e as Error).message}`);
  }
  return {
    url,
    app,
    async close() {
      await app.close();
      await shop.close();
    },
  };
}
