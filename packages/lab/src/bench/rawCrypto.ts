/**
 * The raw crypto a purchase cannot avoid: RSA-2048 private-key operations (PKCS#1 v1.5 SHA-256
 * signatures and RSA-OAEP SHA-256 decryptions), timed one at a time on one core with each crypto
 * stack the parties use (Node's provider for merchant and gateway, @peculiar/webcrypto on the
 * card), made as the parties make them (`@setlab/protocol/bench` `rawRsaOps`: the suite's calls),
 * and the public-key operations beside them for comparison.
 */
import { type CryptoProvider, nodeProvider, peculiarProvider } from "@setlab/protocol";
import { rawRsaOps } from "@setlab/protocol/bench";

export interface Rate {
  readonly perSecond: number;
  /** Mean wall milliseconds per operation. */
  readonly wallMs: number;
  /**
   * Mean CPU milliseconds per operation (this process, all threads): what the operation costs
   * whatever else the host runs, and the figure CPU per purchase is compared with.
   */
  readonly ms: number;
}

export interface StackRates {
  readonly provider: string;
  readonly sign: Rate;
  readonly decrypt: Rate;
  readonly verify: Rate;
  readonly encrypt: Rate;
}

/** Run `op` back to back for `seconds` after a short warm-up. */
export async function rate(op: () => Promise<unknown>, seconds: number): Promise<Rate> {
  for (let i = 0; i < 3; i++) await op();
  const budget = seconds * 1000;
  const start = performance.now();
  const cpu = process.cpuUsage();
  let runs = 0;
  while (performance.now() - start < budget) {
    await op();
    runs++;
  }
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    perSecond: (runs * 1000) / elapsed,
    wallMs: elapsed / runs,
    ms: (used.user + used.system) / 1000 / runs,
  };
}

export async function measureStack(p: CryptoProvider, seconds: number): Promise<StackRates> {
  const ops = await rawRsaOps(p);
  return {
    provider: p.name,
    sign: await rate(ops.sign, seconds),
    decrypt: await rate(ops.decrypt, seconds),
    verify: await rate(ops.verify, seconds / 2),
    encrypt: await rate(ops.encrypt, seconds / 2),
  };
}

export async function measureRawCrypto(seconds: number): Promise<{ node: StackRates; peculiar: StackRates }> {
  return {
    node: await measureStack(nodeProvider(), seconds),
    peculiar: await measureStack(peculiarProvider(), seconds),
  };
}
