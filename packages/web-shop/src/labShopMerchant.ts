/**
 * The shop's merchant over a lab PKI (`set-ca init`): the SDK core with its SQLite store, the
 * gateways per brand over HTTP, and the PKI's revocation material kept current. The CLI and the
 * lab's browser tests open it the same way.
 */
import { HttpGatewayClient, labMerchantConfig, Merchant, SqliteRepository } from "@setlab/merchant-server";
import { nodeProvider } from "@setlab/protocol";
import { keyPassphrase, LabPki, LabRevocationSource, type Logger, logRevocation } from "@setlab/runtime";

export interface ShopMerchantOptions {
  readonly pki: string;
  readonly db: string;
  /** Brand to the gateway's SET endpoint (`.../set`). */
  readonly gateways: Readonly<Record<string, string>>;
  readonly passphrase?: string;
  readonly logger?: Logger;
}

export interface ShopMerchant {
  readonly merchant: Merchant;
  close(): Promise<void>;
}

export async function openShopMerchant(options: ShopMerchantOptions): Promise<ShopMerchant> {
  const p = nodeProvider();
  const revocation = await LabRevocationSource.open(
    options.pki,
    p,
    options.logger ? { log: logRevocation(options.logger) } : {},
  );
  revocation.start();
  const config = await labMerchantConfig(p, LabPki.open(options.pki), {
    revocation,
    brands: Object.keys(options.gateways),
    passphrase: options.passphrase ?? keyPassphrase(),
  });
  const repo = new SqliteRepository(options.db);
  const merchant = new Merchant({ p, repo, config, gateway: new HttpGatewayClient({ ...options.gateways }) });
  return {
    merchant,
    async close() {
      revocation.close();
      await repo.close();
    },
  };
}
