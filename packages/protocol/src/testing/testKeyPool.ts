/**
 * Test-only: RSA-2048 key pairs generated once per test run and shared by every test process.
 *
 * Each test file runs in a module registry of its own, so the per-process key cache of `pki.ts`
 * generated a whole hierarchy's keys (11 and more RSA-2048 pairs, 1-2 s of CPU) for every file
 * that built a test PKI. Jest's global setup (`scripts/jestGlobalSetup.cjs`) writes a pool of key
 * pairs per use to a file named in `SETLAB_TEST_KEY_POOL`; the n-th distinct slot of a use asked for
 * in a process gets the pool's n-th pair of that use, so distinct slots keep distinct keys. Without
 * the file, or past its end, the caller generates a key as before.
 *
 * Pool file: JSON `{ "format": "setlab-test-key-pool/1", "ca" | "signature" | "keyEncipherment":
 * [{ "pkcs8": base64, "spki": base64 }, ...] }`.
 */
import * as fs from "node:fs";

export const testKeyPoolVariable = "SETLAB_TEST_KEY_POOL";

export type PoolUse = "ca" | "signature" | "keyEncipherment";

/** A pooled pair as DER: PKCS#8 private key, SPKI public key. */
export interface PooledDer {
  readonly pkcs8: Uint8Array<ArrayBuffer>;
  readonly spki: Uint8Array<ArrayBuffer>;
}

interface PooledPair {
  readonly pkcs8: string;
  readonly spki: string;
}

/** A pool read from its file, handing out pairs by slot. */
export class TestKeyPool {
  private readonly slotIndex = new Map<string, number>();
  private readonly nextIndex: Record<PoolUse, number> = { ca: 0, signature: 0, keyEncipherment: 0 };

  constructor(private readonly pairs: Partial<Record<PoolUse, readonly PooledPair[]>>) {}

  static read(file: string): TestKeyPool {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { format?: unknown } & Record<
      string,
      unknown
    >;
    if (parsed.format !== "setlab-test-key-pool/1") throw new Error(`${file}: not a setlab test key pool`);
    return new TestKeyPool(parsed as Partial<Record<PoolUse, readonly PooledPair[]>>);
  }

  /** The pair for `slot` (DER), the same on every call for one slot; null when the pool has none left. */
  pairFor(slot: string, use: PoolUse): PooledDer | null {
    const key = `${slot}/${use}`;
    let index = this.slotIndex.get(key);
    if (index === undefined) {
      index = this.nextIndex[use]++;
      this.slotIndex.set(key, index);
    }
    const pair = this.pairs[use]?.[index];
    if (!pair) return null;
    return {
      pkcs8: new Uint8Array(Buffer.from(pair.pkcs8, "base64")),
      spki: new Uint8Array(Buffer.from(pair.spki, "base64")),
    };
  }
}

let runPool: TestKeyPool | null | undefined;

/** The test run's pooled pair for `slot` (see above), or null without a pool or past its end. */
export function pooledKeyPair(slot: string, use: PoolUse): PooledDer | null {
  if (runPool === undefined) {
    const file = process.env[testKeyPoolVariable];
    runPool = file && fs.existsSync(file) ? TestKeyPool.read(file) : null;
  }
  return runPool?.pairFor(slot, use) ?? null;
}
