/**
 * Certificate paths already validated, so the next message from the same signer does not re-parse
 * and re-verify its whole chain (digest 1.2: SET names certificates by thumb so receivers can keep
 * them). Only chain work is remembered: every message's own signature is still verified by its
 * caller. An entry answers only for the exact leaf bytes, the exact pinned root, and times inside
 * the window where every certificate of the path is valid; outside it the caller validates afresh,
 * so expiry is still reported. Revocation is not remembered: a caller holding revocation material
 * checks the cached path against it on every hit (purchase/trustedChain.ts), so a certificate
 * revoked after its chain was cached is still refused. Owned by the caller; nothing module-level.
 */
import { bytesEqual } from "../asn1/tlv";
import type { ValidatedChain } from "./chain";
import { sha256Hex } from "./digest";

interface Entry {
  readonly chain: ValidatedChain;
  /** Certificates that came with the validated message besides the path (e.g. a key-exchange certificate). */
  readonly alongside: readonly Uint8Array[];
  /** The latest notBefore and the earliest notAfter along the path. */
  readonly from: number;
  readonly until: number;
}

export class ValidatedChainCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * The pinned root's hash by bytes object: a verifier passes the same root object with every
   * message (its Trust's), and bytes are immutable in the library.
   */
  private readonly roots = new WeakMap<Uint8Array, string>();
  /** Lookups answered from the cache and lookups that were not. */
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The chain validated earlier for exactly this leaf under exactly this root, if `at` lies in
   * its validity window. Keyed by SHA-256 over the whole DER, not the thumb: the thumb leaves the
   * issuer's signature out, and a certificate with a different signature must be judged anew.
   */
  async get(
    leaf: Uint8Array,
    pinnedRoot: Uint8Array,
    at: Date,
    /**
     * The certificates the message carries. Each must be one the entry has seen (on its path or
     * alongside it), else the lookup misses: a message with another or a damaged CA certificate
     * is judged as a cold verifier would judge it.
     */
    carried: readonly Uint8Array[] = [],
  ): Promise<ValidatedChain | undefined> {
    const key = this.key(leaf, pinnedRoot);
    const entry = this.entries.get(key);
    const t = at.getTime();
    const seen = (c: Uint8Array) =>
      entry !== undefined &&
      (entry.chain.path.some((k) => bytesEqual(k.der, c)) || entry.alongside.some((k) => bytesEqual(k, c)));
    if (!entry || t < entry.from || t > entry.until || !carried.every(seen)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.chain;
  }

  /** Remember a chain `validateChain` accepted. */
  async put(chain: ValidatedChain, carried: readonly Uint8Array[] = []): Promise<void> {
    const key = this.key(chain.leaf.der, chain.root.der);
    const from = Math.max(...chain.path.map((c) => c.notBefore.getTime()));
    const until = Math.min(...chain.path.map((c) => c.notAfter.getTime()));
    this.entries.delete(key);
    const alongside = carried.filter((c) => !chain.path.some((k) => bytesEqual(k.der, c)));
    this.entries.set(key, { chain, alongside, from, until });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  private key(leaf: Uint8Array, root: Uint8Array): string {
    let rootHex = this.roots.get(root);
    if (rootHex === undefined) {
      rootHex = sha256Hex(root);
      this.roots.set(root, rootHex);
    }
    return `${sha256Hex(leaf)}:${rootHex}`;
  }
}
