/**
 * The handshake transcript: every handshake message in the order sent and received, each with a
 * 4-byte length, hashed with SHA-256. Both ends must hold the same bytes for their keys and key
 * confirmation MACs to agree, so a message changed, dropped or injected by anyone shows.
 */
import { isNodeProvider, sha256Sync } from "../../crypto/native";
import type { CryptoProvider } from "../../crypto/provider";
import { concat } from "./bytes";

export class Transcript {
  private readonly parts: Uint8Array[] = [];
  /** The hash of the parts so far, until the next message (a machine asks for it more than once). */
  private cached?: Promise<Uint8Array<ArrayBuffer>>;

  add(message: Uint8Array): void {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, message.length);
    this.parts.push(length, message.slice());
    this.cached = undefined;
  }

  async hash(p: CryptoProvider): Promise<Uint8Array<ArrayBuffer>> {
    this.cached ??= isNodeProvider(p)
      ? Promise.resolve(sha256Sync(concat(...this.parts)))
      : p.crypto.subtle.digest("SHA-256", concat(...this.parts)).then((d) => new Uint8Array(d));
    return (await this.cached).slice();
  }
}
