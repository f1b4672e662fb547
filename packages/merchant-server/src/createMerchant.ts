/**
 * One call from configuration to a running merchant core: the lab PKI's keys and certificates,
 * the SQLite store, the gateways over HTTP. Everything that can be wrong with the configuration
 * (an unusable gateway or webhook URL, a missing certificate, a wrong passphrase, a brand the PKI
 * lacks) rejects here, before the shop takes an order.
 */
import { nodeProvider } from "@setlab/protocol";
import { LabPki } from "@setlab/runtime";
import { MerchantConfigurationError } from "./core/endpointUrl";
import { Merchant, type MerchantOptions } from "./core/merchant";
import type { WebhookOptions } from "./events/webhookDelivery";
import { HttpGatewayClient, type HttpGatewayOptions } from "./httpGatewayClient";
import { labMerchantConfig } from "./labMerchantConfig";
import { SqliteRepository } from "./store/sqliteRepository";

export interface CreateMerchantOptions {
  /** The lab PKI directory (`set-ca init --out DIR`). */
  readonly pki: string;
  /** The SQLite file (created, mode 0600), or `:memory:`. */
  readonly db: string;
  /** Each brand taken, with its gateway's URL (its origin or its `/set` endpoint). */
  readonly gateways: Readonly<Record<string, string>>;
  /** Of the private keys in the PKI (default: the lab's). */
  readonly passphrase?: string;
  readonly merchantId?: string;
  readonly webhook?: WebhookOptions;
  readonly testMode?: boolean;
  readonly gatewayOptions?: HttpGatewayOptions;
  readonly onListenerError?: MerchantOptions["onListenerError"];
}

export async function createMerchant(options: CreateMerchantOptions): Promise<Merchant> {
  const brands = Object.keys(options.gateways);
  if (brands.length === 0) throw new MerchantConfigurationError("gateways: name at least one brand");
  const urls = Object.fromEntries(
    Object.entries(options.gateways).map(([brand, url]) => [brand, setEndpointOf(url)]),
  );
  const gateway = new HttpGatewayClient(urls, options.gatewayOptions);
  const p = nodeProvider();
  let config: MerchantOptions["config"];
  try {
    config = await labMerchantConfig(p, LabPki.open(options.pki), {
      brands,
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(options.merchantId !== undefined ? { merchantID: options.merchantId } : {}),
    });
  } catch (e) {
    throw new MerchantConfigurationError(`the merchant's keys and certificates: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const repo = new SqliteRepository(options.db);
  try {
    return new Merchant({
      p,
      repo,
      config,
      gateway,
      ...(options.webhook ? { webhook: options.webhook } : {}),
      ...(options.testMode !== undefined ? { testMode: options.testMode } : {}),
      ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
    });
  } catch (e) {
    await repo.close();
    throw e;
  }
}

/** A gateway URL may name the origin or the `/set` endpoint itself. */
function setEndpointOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === "/" && !u.search ? `${url.replace(/\/$/, "")}/set` : url;
  } catch {
    return url; // HttpGatewayClient says what is wrong with it
  }
}
