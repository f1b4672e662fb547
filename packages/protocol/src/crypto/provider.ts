/**
 * The crypto provider every operator takes as its first argument. `protocol` never reaches for a
 * global: WebCrypto, randomness and the clock all come from here, so a test can swap
 * implementations (node vs @peculiar/webcrypto) or pin randomness and time for golden vectors.
 * When the WebCrypto is Node's own, the operators call the same OpenSSL functions through
 * node:crypto directly (`native.ts`, `suite.ts`); the provider still decides which.
 */

export interface CryptoProvider {
  readonly name: string;
  readonly crypto: Crypto;
  /** n fresh random bytes: content keys, IVs. */
  random(n: number): Uint8Array;
  /** The time written into signatures (signingTime). */
  now(): Date;
}

/** getRandomValues refuses more than 65536 bytes per call. */
const MAX_RANDOM_CHUNK = 65536;

/** A provider over any WebCrypto implementation, using its own CSPRNG and the system clock. */
export function webCryptoProvider(name: string, crypto: Crypto): CryptoProvider {
  return {
    name,
    crypto,
    random(n) {
      const out = new Uint8Array(n);
      for (let off = 0; off < n; off += MAX_RANDOM_CHUNK)
        crypto.getRandomValues(out.subarray(off, Math.min(n, off + MAX_RANDOM_CHUNK)));
      return out;
    },
    now: () => new Date(),
  };
}

/** Node's built-in WebCrypto: the default, several times faster than the pure-JS alternative. */
export function nodeProvider(): CryptoProvider {
  return webCryptoProvider("node", globalThis.crypto);
}

/**
 * @peculiar/webcrypto: an independent implementation (the card emulator uses it), so a purchase
 * between card and PC exercises two crypto stacks against each other.
 */
export function peculiarProvider(): CryptoProvider {
  // Loaded on first use, not with the package: it is about a third of the library's load time, and
  // only the card uses it, while every process that imports the protocol (the mediator a
  // `set-lab purchase` starts among them) would pay for it at start.
  const { Crypto: PeculiarCrypto } = require("@peculiar/webcrypto") as typeof import("@peculiar/webcrypto");
  return webCryptoProvider("peculiar", new PeculiarCrypto() as unknown as Crypto);
}

export const defaultProvider: CryptoProvider = nodeProvider();
