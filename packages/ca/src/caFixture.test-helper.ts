/**
 * Shared test setup: a temp-file SQLite store, fresh RSA-2048 keys and hierarchies. Test-only.
 * The keys come from the test run's key pool (freshTestKeyPair): each call gets a pair no other
 * call of the file gets, and the run generates each pair once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeProvider, type schema } from "@setlab/protocol";
import { freshTestKeyPair, type KeyUse } from "@setlab/protocol/testing";
import { createHierarchy, type Hierarchy, type HierarchyOptions, hierarchyKeySlots } from "./hierarchy";
import { SqliteCaStore } from "./store";

export const provider = nodeProvider();

export interface TempStore {
  readonly store: SqliteCaStore;
  readonly dir: string;
  readonly path: string;
  cleanup(): void;
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), "setlab-ca-"));
  const path = join(dir, "ca.sqlite");
  const store = new SqliteCaStore(path);
  return {
    store,
    dir,
    path,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function freshKey(
  use: KeyUse = "signature",
): Promise<{ keys: CryptoKeyPair; spki: Uint8Array }> {
  const keys = await freshTestKeyPair(use);
  return { keys, spki: new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)) };
}

export const merchantData: schema.MerchantData = {
  merID: "SETLAB-MER-0042",
  merAcquirerBIN: "411111",
  merNameSeq: [{ language: "en", name: "Test Shop", city: "Osaka", countryName: "Japan" }],
  merCountry: 392,
  merAuthFlag: true,
};

export const testCard = {
  pan: "4111111111111111",
  cardExpiry: "203012",
  panSecret: new Uint8Array(20).fill(7),
};

/**
 * createHierarchy with a fresh pooled key pair for every CA slot (`root`, `nextRoot`,
 * `<brand>/bca`, ...) except those in `generate`, which createHierarchy generates itself.
 */
export async function pooledHierarchy(
  o: HierarchyOptions,
  generate: readonly string[] = [],
): Promise<Hierarchy> {
  const keys: Record<string, CryptoKeyPair> = {};
  for (const slot of hierarchyKeySlots(o.brands, o.geopolitical))
    if (!generate.includes(slot)) keys[slot] = await freshTestKeyPair("ca", o.provider);
  return createHierarchy({ ...o, keys: { ...keys, ...o.keys } });
}
