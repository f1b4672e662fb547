/**
 * The browser's native-messaging framing (Chromium's, also Firefox's): each message is a 4-byte
 * little-endian length, then that many bytes of UTF-8 JSON, on the host's stdin (browser to host)
 * and stdout (host to browser). Nothing else may ever reach stdout.
 */

/** Chromium refuses a host message over 1 MiB; ours are far smaller. */
export const maxHostMessageBytes = 1024 * 1024;
/** The extension's messages are small commands: anything larger is refused, not buffered. */
export const maxExtensionMessageBytes = 64 * 1024;

export class NativeMessageError extends Error {
  override readonly name = "NativeMessageError";
}

export function encodeNativeMessage(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  if (body.length > maxHostMessageBytes)
    throw new NativeMessageError(`message of ${body.length} bytes is too large`);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

/**
 * Splits a byte stream into messages. `push` returns every message completed by the chunk;
 * a length over the limit, text that is not UTF-8 JSON, or JSON that is not an object throws
 * (the stream cannot be trusted after that).
 */
export class NativeMessageReader {
  private pending = Buffer.alloc(0);

  constructor(private readonly limit = maxExtensionMessageBytes) {}

  push(chunk: Uint8Array): Record<string, unknown>[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: Record<string, unknown>[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32LE(0);
      if (length > this.limit)
        throw new NativeMessageError(`a message of ${length} bytes is over the ${this.limit}-byte limit`);
      if (this.pending.length < 4 + length) break;
      const body = this.pending.subarray(4, 4 + length);
      this.pending = this.pending.subarray(4 + length);
      out.push(parseMessage(body));
    }
    return out;
  }

  /** Bytes of an unfinished message (at the end of the stream, a truncated message). */
  get buffered(): number {
    return this.pending.length;
  }
}

function parseMessage(body: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw new NativeMessageError("a message is not UTF-8 JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new NativeMessageError("a message is not a JSON object");
  return value as Record<string, unknown>;
}
