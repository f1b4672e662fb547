/**
 * The raw crypto a purchase cannot avoid: RSA-2048 private-key operations (PKCS#1 v1.5 SHA-256
 * signatures and RSA-OAEP SHA-256 decryptions), timed one at a time on one core with each crypto
 * stack the parties use (Node's WebCrypto for merchant and gateway, @peculiar/webcrypto on the card),
 * and the public-key operations beside them for comparison.
 */
import { type CryptoProvider, nodeProvider, peculiarProvider } from "@setlab/protocol";

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

const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };

export async function measureStack(p: CryptoProvider, seconds: number): Promise<StackRates> {
  const subtle = p.crypto.subtle;
  const signing = (await subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", ...rsa }, false, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const oaep = (await subtle.generateKey({ name: "RSA-OAEP", ...rsa }, false, [
    "encrypt",
    "decrypt",
  ])) as CryptoKeyPair;
  const message = new Uint8Array(p.random(32));
  // An OAEP block the size SET's envelopes carry (content key, IV and extra data).
  const block = new Uint8Array(p.random(150));
  const signature = await subtle.sign("RSASSA-PKCS1-v1_5", signing.privateKey, message);
  const sealed = await subtle.encrypt({ name: "RSA-OAEP" }, oaep.publicKey, block);
  return {
    provider: p.name,
    sign: await rate(() => subtle.sign("RSASSA-PKCS1-v1_5", signing.privateKey, message), seconds),
    decrypt: await rate(() => subtle.decrypt({ name: "RSA-OAEP" }, oaep.privateKey, sealed), seconds),
    verify: await rate(
      () => subtle.verify("RSASSA-PKCS1-v1_5", signing.publicKey, signature, message),
      seconds / 2,
    ),
    encrypt: await rate(() => subtle.encrypt({ name: "RSA-OAEP" }, oaep.publicKey, block), seconds / 2),
  };
}

export async function measureRawCrypto(seconds: number): Promise<{ node: StackRates; peculiar: StackRates }> {
  return {
    node: await measureStack(nodeProvider(), seconds),
    peculiar: await measureStack(peculiarProvider(), seconds),
  };
}
