import { encodeNativeMessage, NativeMessageError, NativeMessageReader } from "./nativeMessaging";

const frame = (body: Buffer) => {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
};

describe("native messaging framing", () => {
  it("writes a 4-byte little-endian length, then UTF-8 JSON", () => {
    const bytes = encodeNativeMessage({ type: "progress", text: "Zahlung läuft" });
    const body = Buffer.from('{"type":"progress","text":"Zahlung läuft"}', "utf8");
    expect(bytes.readUInt32LE(0)).toBe(body.length);
    expect(bytes.subarray(4)).toEqual(body);
  });

  it("reads messages split across chunks and several in one chunk", () => {
    const reader = new NativeMessageReader();
    const a = encodeNativeMessage({ type: "start", n: 1 });
    const b = encodeNativeMessage({ type: "pay", n: 2 });
    const all = Buffer.concat([a, b]);
    expect(reader.push(all.subarray(0, 2))).toEqual([]);
    expect(reader.push(all.subarray(2, a.length + 3))).toEqual([{ type: "start", n: 1 }]);
    expect(reader.buffered).toBe(3);
    expect(reader.push(all.subarray(a.length + 3))).toEqual([{ type: "pay", n: 2 }]);
    expect(reader.buffered).toBe(0);
    expect(new NativeMessageReader().push(all)).toHaveLength(2);
  });

  it("refuses a length over its limit before buffering the body", () => {
    const reader = new NativeMessageReader(16);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(17, 0);
    expect(() => reader.push(header)).toThrow(NativeMessageError);
    expect(() => new NativeMessageReader(16).push(frame(Buffer.from('{"a":"0123456789"}')))).toThrow(/limit/);
  });

  it.each([
    ["not UTF-8", Buffer.from([0x7b, 0xff, 0x7d]), /UTF-8 JSON/],
    ["not JSON", Buffer.from("start"), /UTF-8 JSON/],
    ["an array", Buffer.from("[1]"), /JSON object/],
    ["null", Buffer.from("null"), /JSON object/],
    ["a string", Buffer.from('"start"'), /JSON object/],
  ])("refuses a message that is %s", (_what, body, pattern) => {
    expect(() => new NativeMessageReader().push(frame(body))).toThrow(pattern);
  });

  it("refuses to write a message over Chromium's 1 MiB limit", () => {
    expect(() => encodeNativeMessage({ text: "x".repeat(1024 * 1024) })).toThrow(NativeMessageError);
  });
});
