/**
 * Framing of the card link: each frame is a 4-byte big-endian length, then that many bytes, at most
 * 1 MiB. `FrameReader` accumulates stream chunks and yields whole frames.
 */
import { CardLinkError } from "./cardLinkError";
import { SW } from "./commandSet";

export const MAX_FRAME = 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_FRAME) throw new CardLinkError(SW.BAD_LENGTH, "frame over 1 MiB");
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

export class FrameReader {
  private buffer = new Uint8Array(0);
  private offset = 0;
  private failed = false;

  constructor(private readonly maxFrame: number = MAX_FRAME) {}

  /** Bytes held that do not yet make a whole frame (non-zero at the end of a stream: a cut frame). */
  get pending(): number {
    return this.buffer.length - this.offset;
  }

  /**
   * Adds a chunk and returns every frame it completes. A length over the maximum throws
   * CardLinkError (6700) and the reader refuses everything after it: the stream cannot be resynced.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new CardLinkError(SW.BAD_LENGTH, "frame stream already failed");
    if (chunk.length > 0) {
      const rest = this.buffer.subarray(this.offset);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest, 0);
      joined.set(chunk, rest.length);
      this.buffer = joined;
      this.offset = 0;
    }
    const frames: Uint8Array[] = [];
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    while (this.buffer.length - this.offset >= 4) {
      const length = view.getUint32(this.offset);
      if (length > this.maxFrame) {
        this.failed = true;
        this.buffer = new Uint8Array(0);
        this.offset = 0;
        throw new CardLinkError(SW.BAD_LENGTH, `frame length ${length} over ${this.maxFrame}`);
      }
      if (this.buffer.length - this.offset < 4 + length) break;
      frames.push(this.buffer.slice(this.offset + 4, this.offset + 4 + length));
      this.offset += 4 + length;
    }
    return frames;
  }
}
