/**
 * Parsed certificates by SET thumbprint. Parsing, not RSA, dominates certificate handling
 * (toolchain.md), and SET names certificates by thumb precisely so receivers can reuse them.
 * A small LRU owned by the caller; nothing module-level.
 */
import type { CryptoSource } from "./cryptoSource";
import { resolveCrypto } from "./cryptoSource";
import { parseSetCertificate, type SetCertificate } from "./setCertificate";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export class CertificateCache {
  private readonly byThumb = new Map<string, SetCertificate>();
  private readonly byDerDigest = new Map<string, string>();

  constructor(
    private readonly source: CryptoSource,
    readonly capacity = 256,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  get size(): number {
    return this.byThumb.size;
  }

  /** The cached certificate a thumb names, if any (a thumb in a request or PEThumb field). */
  get(thumb: Uint8Array): SetCertificate | undefined {
    const key = hex(new Uint8Array(thumb));
    const cert = this.byThumb.get(key);
    if (cert) this.touch(key, cert);
    return cert;
  }

  /** Parse `der`, or return the already parsed certificate with the same bytes. */
  async parse(der: Uint8Array): Promise<SetCertificate> {
    const { crypto } = resolveCrypto(this.source);
    const bytes = new Uint8Array(der);
    const derKey = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
    const known = this.byDerDigest.get(derKey);
    const cached = known === undefined ? undefined : this.byThumb.get(known);
    if (cached && known !== undefined) {
      this.touch(known, cached);
      return cached;
    }
    const cert = parseSetCertificate(bytes);
    const thumbKey = hex(await cert.thumb(crypto));
    this.byDerDigest.set(derKey, thumbKey);
    this.touch(thumbKey, cert);
    return cert;
  }

  private touch(key: string, cert: SetCertificate): void {
    this.byThumb.delete(key);
    this.byThumb.set(key, cert);
    while (this.byThumb.size > this.capacity) {
      const oldest = this.byThumb.keys().next().value as string;
      this.byThumb.delete(oldest);
      for (const [d, t] of this.byDerDigest) if (t === oldest) this.byDerDigest.delete(d);
    }
  }
}
