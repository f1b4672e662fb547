/**
 * Parsed certificates by SHA-256 of their DER, with an index by SET thumbprint. Parsing, not RSA,
 * used to dominate certificate handling (toolchain.md), and SET names certificates by thumb
 * precisely so receivers can reuse them. A bounded LRU: the same bytes are parsed once for as long
 * as they stay in it.
 *
 * `parsedCertificates` (in setCertificate.ts) is the one process-wide instance `parseSetCertificate` goes through. A
 * parsed certificate is public data and immutable, so sharing it is safe, and it lets every
 * receiver (which get bare DER from messages) skip the parse, and the signature checks remembered
 * on the object (`issuerSignature.ts`), on a certificate seen before. Failures are not cached.
 */

import { toHex } from "../bytes";
import { sha256Hex } from "./digest";

/** What the cache needs of a parsed certificate: the to-be-signed bytes its thumb is taken over. */
interface Parsed {
  readonly tbs: Uint8Array;
}

interface Entry<C extends Parsed> {
  readonly cert: C;
  readonly thumbKey: string;
}

export class CertificateCache<C extends Parsed> {
  private readonly byDer = new Map<string, Entry<C>>();
  private readonly byThumb = new Map<string, string>();
  /** Parses answered from the cache and parses that were not. */
  hits = 0;
  misses = 0;

  constructor(
    /** Parse a certificate that is not in the cache (`new SetCertificate(der)` for the process-wide one). */
    private readonly parseNew: (der: Uint8Array) => C,
    readonly capacity = 256,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  get size(): number {
    return this.byDer.size;
  }

  /** The cached certificate a thumb names, if any (a thumb in a request or PEThumb field). */
  get(thumb: Uint8Array): C | undefined {
    const derKey = this.byThumb.get(toHex(thumb));
    const entry = derKey === undefined ? undefined : this.byDer.get(derKey);
    if (!entry || derKey === undefined) return undefined;
    this.touch(derKey, entry);
    return entry.cert;
  }

  /** Parse `der`, or return the already parsed certificate with the same bytes. */
  parse(der: Uint8Array): C {
    const derKey = sha256Hex(der);
    const known = this.byDer.get(derKey);
    if (known) {
      this.hits++;
      this.touch(derKey, known);
      return known.cert;
    }
    this.misses++;
    const cert = this.parseNew(der);
    const thumbKey = sha256Hex(cert.tbs);
    // Two certificates differing only in their signature share a thumb; the newer one is indexed.
    this.byThumb.set(thumbKey, derKey);
    this.touch(derKey, { cert, thumbKey });
    return cert;
  }

  /**
   * Forget every parse. With the parse gone, the signature checks remembered on the old objects go
   * too: the benchmark's "first sight" rows start each run from what a process that never saw the
   * certificates has.
   *
   * Entry by entry, as the LRU forgets one: `Map.clear()` leaves the long-lived map's old table
   * behind in V8's old generation, still pointing at the young entries, and until the next full
   * collection every minor collection keeps them (and the certificates) alive. The benchmark,
   * which clears before each run, then promoted about 25 KB a run into the old generation, and
   * every few dozen runs one paid an 8-18 ms scavenge (docs/performance.md).
   */
  clear(): void {
    for (const key of [...this.byDer.keys()]) this.byDer.delete(key);
    for (const key of [...this.byThumb.keys()]) this.byThumb.delete(key);
  }

  private touch(derKey: string, entry: Entry<C>): void {
    this.byDer.delete(derKey);
    this.byDer.set(derKey, entry);
    while (this.byDer.size > this.capacity) {
      const [oldKey, old] = this.byDer.entries().next().value as [string, Entry<C>];
      this.byDer.delete(oldKey);
      if (this.byThumb.get(old.thumbKey) === oldKey) this.byThumb.delete(old.thumbKey);
    }
  }
}
