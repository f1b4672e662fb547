/**
 * Framing of the card link: each frame is a 4-byte big-endian length, then that many bytes, at most
 * `MAX_FRAME` (linkLimits.ts). `FrameReader` accumulates stream chunks and yields whole frames.
 */
import { CardLinkError } from "./cardLinkError";
import { SW } from "./commandSet";
import { MAX_FRAME } from "./linkLimits";

export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_FRAME) throw new CardLinkError(SW.BAD_LENGTH, `frame over ${MAX_FRAME} bytes`);
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

/**
 * Copies each byte once, into the frame it belongs to (a frame sent a byte at a time costs its
 * length, not its length squared), and holds at most the frame under way: its 4-byte prefix, then
 * a buffer of the length the prefix announced, allocated only once that length is known to be
 * within the limit.
 */
export class FrameReader {
  private readonly prefix = new Uint8Array(4);
  private prefixFilled = 0;
  /** The frame under way, once its prefix has been read. */
  private frame: Uint8Array | undefined;
  private filled = 0;
  private failed = false;

  /** `maxFrame`: the longest frame accepted; it may change between pushes (`limit`). */
  constructor(private maxFrame: number = MAX_FRAME) {}

  /** Bytes received that do not yet make a whole frame (non-zero at the end of a stream: a cut frame). */
  get pending(): number {
    return this.frame === undefined ? this.prefixFilled : 4 + this.filled;
  }

  /** Accept frames up to `maxFrame` from the next length prefix on. */
  limit(maxFrame: number): void {
    this.maxFrame = maxFrame;
  }

  /**
   * Adds a chunk and returns every frame it completes. A length over the maximum throws
   * CardLinkError (6700) as soon as its prefix is read, before any of the frame is kept, and the
   * reader refuses everything after it: the stream cannot be resynced.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new CardLinkError(SW.BAD_LENGTH, "frame stream already failed");
    const frames: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      if (this.frame === undefined) {
        const n = Math.min(4 - this.prefixFilled, chunk.length - at);
        this.prefix.set(chunk.subarray(at, at + n), this.prefixFilled);
        this.prefixFilled += n;
        at += n;
        if (this.prefixFilled < 4) break;
        const length = new DataView(this.prefix.buffer).getUint32(0);
        if (length > this.maxFrame) {
          this.failed = true;
          throw new CardLinkError(SW.BAD_LENGTH, `frame length ${length} over ${this.maxFrame}`);
        }
        this.frame = new Uint8Array(length);
        this.filled = 0;
      }
      const n = Math.min(this.frame.length - this.filled, chunk.length - at);
      this.frame.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled < this.frame.length) break;
      frames.push(this.frame);
      this.frame = undefined;
      this.prefixFilled = 0;
    }
    return frames;
  }
}
