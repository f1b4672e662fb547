import fc from "fast-check";
import { decodeCommand, decodeResponse, encodeCommand, encodeResponse } from "./apdu";
import { CardLinkError } from "./cardLinkError";
import { cardDataTypes } from "./commandData";
import { CLA, INS, insName, pinTriesLeft, SW, swName, wrongPin } from "./commandSet";
import { encodeFrame, FrameReader } from "./frame";
import { MAX_CARD_DATA, MAX_FRAME, MAX_HANDSHAKE_FRAME } from "./linkLimits";
import { encodeHandshake } from "./secureLink/messages";
import { MIN_RECORD } from "./secureLink/recordLayer";

const bytes = (...b: number[]) => new Uint8Array(b);

function expectCardLinkError(f: () => unknown, sw: number) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CardLinkError);
    expect((e as CardLinkError).sw).toBe(sw);
    return;
  }
  throw new Error("no CardLinkError thrown");
}

describe("commands", () => {
  test("a command is CLA INS P1 P2, a 4-byte big-endian length, then the data", () => {
    const encoded = encodeCommand({ ins: INS.SELECT, p1: 1, p2: 2, data: bytes(0x61, 0x62, 0x63) });
    expect([...encoded]).toEqual([CLA, 0xa4, 1, 2, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    expect(decodeCommand(encoded)).toEqual({
      cla: 0x80,
      ins: 0xa4,
      p1: 1,
      p2: 2,
      data: bytes(0x61, 0x62, 0x63),
    });
    expect(decodeCommand(encodeCommand({ ins: INS.GET_STATUS })).data.length).toBe(0);
  });

  test("a short header, a length that disagrees, or another class byte is refused", () => {
    expectCardLinkError(() => decodeCommand(bytes(0x80, 0xa4, 0, 0, 0, 0, 0)), SW.BAD_LENGTH);
    expectCardLinkError(() => decodeCommand(bytes(0x80, 0xa4, 0, 0, 0, 0, 0, 2, 1)), SW.BAD_LENGTH);
    expectCardLinkError(() => decodeCommand(bytes(0x80, 0xa4, 0, 0, 0, 0, 0, 0, 1)), SW.BAD_LENGTH);
    expectCardLinkError(() => decodeCommand(bytes(0x00, 0xa4, 0, 0, 0, 0, 0, 0)), SW.CLA_NOT_SUPPORTED);
  });

  test("encoding refuses values that are not bytes", () => {
    expectCardLinkError(() => encodeCommand({ ins: 256 }), SW.BAD_DATA);
    expectCardLinkError(() => encodeCommand({ ins: 1, p1: -1 }), SW.BAD_DATA);
    expectCardLinkError(() => encodeCommand({ ins: 1, p2: 1.5 }), SW.BAD_DATA);
    expectCardLinkError(
      () => encodeCommand({ ins: 1, data: new Uint8Array(MAX_CARD_DATA + 1) }),
      SW.BAD_LENGTH,
    );
    expect(encodeCommand({ ins: 1, data: new Uint8Array(MAX_CARD_DATA) }).length + MIN_RECORD).toBe(
      MAX_FRAME,
    );
  });
});

describe("responses", () => {
  test("a response is the data then SW1 SW2", () => {
    const encoded = encodeResponse({ data: bytes(7, 8), sw: SW.OK });
    expect([...encoded]).toEqual([7, 8, 0x90, 0x00]);
    expect(decodeResponse(encoded)).toEqual({ data: bytes(7, 8), sw: 0x9000 });
    expect(decodeResponse(encodeResponse({ sw: wrongPin(2) }))).toEqual({ data: bytes(), sw: 0x63c2 });
  });

  test("a response shorter than a status word, or a status word over two bytes, is refused", () => {
    expectCardLinkError(() => decodeResponse(bytes(0x90)), SW.BAD_LENGTH);
    expectCardLinkError(() => encodeResponse({ sw: 0x10000 }), SW.BAD_DATA);
    expectCardLinkError(() => encodeResponse({ sw: -1 }), SW.BAD_DATA);
  });
});

describe("status words and instructions", () => {
  test("63Cx carries the tries left", () => {
    expect(wrongPin(2)).toBe(0x63c2);
    expect(wrongPin(99)).toBe(0x63cf);
    expect(pinTriesLeft(0x63c1)).toBe(1);
    expect(pinTriesLeft(SW.OK)).toBeUndefined();
    expect(swName(0x63c0)).toBe("WRONG_PIN(0)");
    expect(swName(SW.PIN_BLOCKED)).toBe("PIN_BLOCKED");
    expect(swName(0x1234)).toBe("1234");
  });

  test("instruction names", () => {
    expect(insName(0x54)).toBe("PURCHASE");
    expect(insName(0x00)).toBeUndefined();
  });
});

describe("frames", () => {
  test("a frame is a 4-byte big-endian length then the bytes", () => {
    expect([...encodeFrame(bytes(1, 2, 3))]).toEqual([0, 0, 0, 3, 1, 2, 3]);
    expectCardLinkError(() => encodeFrame(new Uint8Array(MAX_FRAME + 1)), SW.BAD_LENGTH);
  });

  test("the reader yields frames whatever the chunking", () => {
    const stream = new Uint8Array([
      ...encodeFrame(bytes(1)),
      ...encodeFrame(bytes()),
      ...encodeFrame(bytes(2, 3)),
    ]);
    const reader = new FrameReader();
    const out: Uint8Array[] = [];
    for (const b of stream) out.push(...reader.push(bytes(b)));
    expect(out).toEqual([bytes(1), bytes(), bytes(2, 3)]);
    expect(reader.pending).toBe(0);
    expect(new FrameReader().push(stream)).toEqual(out);
  });

  test("a cut frame stays pending", () => {
    const reader = new FrameReader();
    expect(reader.push(bytes(0, 0, 0, 5, 1, 2))).toEqual([]);
    expect(reader.pending).toBe(6);
  });

  test("an oversize length is refused at once, on its prefix, and the stream stays failed", () => {
    const reader = new FrameReader();
    const over = new Uint8Array(4);
    new DataView(over.buffer).setUint32(0, MAX_FRAME + 1);
    expectCardLinkError(() => reader.push(over), SW.BAD_LENGTH);
    expectCardLinkError(() => reader.push(encodeFrame(bytes(1))), SW.BAD_LENGTH);
    const exact = new Uint8Array(4);
    new DataView(exact.buffer).setUint32(0, MAX_FRAME);
    expect(new FrameReader().push(exact)).toEqual([]);
    expect(new FrameReader(4).push(encodeFrame(bytes(1, 2, 3, 4)))).toHaveLength(1);
    expectCardLinkError(() => new FrameReader(4).push(encodeFrame(bytes(1, 2, 3, 4, 5))), SW.BAD_LENGTH);
    // the prefix alone is enough: nothing of the frame needs to arrive
    expectCardLinkError(() => new FrameReader(4).push(bytes(0, 0, 0, 5)), SW.BAD_LENGTH);
  });

  test("every card data type fits in the largest command: the frame limit holds every legitimate frame", () => {
    for (const [type, { maxBytes }] of Object.entries(cardDataTypes))
      expect({ type, fits: maxBytes <= MAX_CARD_DATA }).toEqual({ type, fits: true });
  });

  test("the limit can change between frames: a handshake reader, then a record reader", () => {
    const reader = new FrameReader(MAX_HANDSHAKE_FRAME);
    const resume = encodeHandshake({
      type: "resume",
      version: 2,
      bondId: new Uint8Array(16),
      publicKey: new Uint8Array(65),
    });
    expect(resume.length).toBe(MAX_HANDSHAKE_FRAME);
    expect(reader.push(encodeFrame(resume))).toHaveLength(1);
    reader.limit(MAX_FRAME);
    expect(reader.push(encodeFrame(new Uint8Array(MAX_HANDSHAKE_FRAME + 1)))).toHaveLength(1);
    expectCardLinkError(
      () => new FrameReader(MAX_HANDSHAKE_FRAME).push(encodeFrame(new Uint8Array(MAX_HANDSHAKE_FRAME + 1))),
      SW.BAD_LENGTH,
    );
  });

  test("property: any cutting of a stream of frames yields the same frames", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        (payloads, cuts) => {
          const stream = new Uint8Array(payloads.flatMap((p) => [...encodeFrame(p)]));
          const reader = new FrameReader(300);
          const out: Uint8Array[] = [];
          let at = 0;
          for (const cut of cuts) {
            out.push(...reader.push(stream.subarray(at, Math.min(stream.length, at + cut))));
            at = Math.min(stream.length, at + cut);
          }
          out.push(...reader.push(stream.subarray(at)));
          expect(out).toEqual(payloads);
          expect(reader.pending).toBe(0);
        },
      ),
    );
  });

  test("a frame trickled in one byte at a time holds only its own bytes and comes out whole", () => {
    const payload = new Uint8Array(50_000).map((_, i) => i & 0xff);
    const stream = encodeFrame(payload);
    const reader = new FrameReader();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...reader.push(stream.subarray(i, i + 1)));
      if (i < stream.length - 1) expect(reader.pending).toBe(i + 1);
    }
    expect(out).toEqual([payload]);
    expect(reader.pending).toBe(0);
  });
});

describe("fuzz: decoders throw nothing but CardLinkError", () => {
  const onlyTyped = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof CardLinkError)) throw e;
    }
  };

  test("decodeCommand and decodeResponse", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        onlyTyped(() => decodeCommand(b));
        onlyTyped(() => decodeResponse(b));
      }),
      { numRuns: 2000 },
    );
  });

  test("round trips", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 0xffff }),
        (ins, p1, p2, data, sw) => {
          expect(decodeCommand(encodeCommand({ ins, p1, p2, data }))).toEqual({
            cla: CLA,
            ins,
            p1,
            p2,
            data,
          });
          expect(decodeResponse(encodeResponse({ data, sw }))).toEqual({ data, sw });
        },
      ),
    );
  });

  test("FrameReader over arbitrary chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }),
        fc.nat(64),
        (chunks, max) => {
          const reader = new FrameReader(max);
          let total = 0;
          for (const c of chunks) {
            try {
              for (const f of reader.push(c)) {
                expect(f.length).toBeLessThanOrEqual(max);
                total += f.length + 4;
              }
            } catch (e) {
              if (!(e instanceof CardLinkError)) throw e;
              return;
            }
          }
          expect(total + reader.pending).toBe(chunks.reduce((n, c) => n + c.length, 0));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
