/**
 * The card link against a real TCP server: a tiny secure-link echo (the phone's side of the
 * handshake from @setlab/protocol, then records) that answers each command with its own data, or
 * misbehaves on purpose for a few instruction bytes. No card logic here: full flows run against
 * the real phone process (purchase.e2e.test.ts).
 */

import * as net from "node:net";
import {
  ContentType,
  decodeCardData,
  decodeCommand,
  encodeFrame,
  encodeResponse,
  FrameReader,
  PhoneHandshake,
  type SecureSession,
} from "../card";
import { defaultProvider } from "../crypto/provider";
import { CardTransportError } from "./cardTransportError";
import { MAX_FLIGHT, PcCardLink, parsePhoneAddress } from "./pcCardLink";

const ECHO = 0x10;
const SILENT = 0x11;
const HANG_UP = 0x12;
const NO_SW = 0x13;
const HUGE = 0x14;
const DRIP = 0x15;
const TWICE = 0x16;
const FLIPPED = 0x17;
const REPLAY = 0x18;
const PLAIN = 0x19;
const CONTEXT = 0x1a;
/** Answers after 60 ms. */
const SLOW = 0x1b;
/** Never answers, nor runs anything sent after it: a card stuck on a command (a prompt left open). */
const HOLD = 0x1c;

const CODE = "161803";
const paired = { pairingCode: CODE };

interface EchoServer {
  port: number;
  /** Every byte that reached the server, as sent. */
  wire: Uint8Array[];
  /** The commands, opened. */
  received: Uint8Array[];
  /** Context records (the run id). */
  contexts: string[];
  close(): Promise<void>;
}

async function echoServer(): Promise<EchoServer> {
  const wire: Uint8Array[] = [];
  const received: Uint8Array[] = [];
  const contexts: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const reader = new FrameReader();
    const handshake = new PhoneHandshake(defaultProvider, CODE);
    let session: SecureSession | undefined;
    let last: Uint8Array | undefined;
    let chain: Promise<void> = Promise.resolve();
    const handle = async (frame: Uint8Array) => {
      if (!session) {
        try {
          const step = await handshake.step(frame);
          for (const f of step.send) socket.write(encodeFrame(f));
          session = step.session;
        } catch {
          socket.destroy();
        }
        return;
      }
      const opened = await session.reader.open(frame);
      if (opened.contentType === ContentType.CONTEXT) {
        contexts.push(decodeCardData("SessionContext", opened.payload).runId ?? "");
        return;
      }
      received.push(opened.payload);
      const c = decodeCommand(opened.payload);
      const seal = async (payload: Uint8Array) => {
        last = await session!.writer.seal(ContentType.CARD, payload);
        return encodeFrame(last);
      };
      const answer = encodeResponse({ data: c.data, sw: c.p1 || c.p2 ? (c.p1 << 8) | c.p2 : 0x9000 });
      switch (c.ins) {
        case SILENT:
          break;
        case HANG_UP:
          socket.destroy();
          break;
        case NO_SW:
          socket.write(await seal(Uint8Array.of(0x90)));
          break;
        case HUGE:
          socket.write(Uint8Array.of(0x7f, 0xff, 0xff, 0xff));
          break;
        case DRIP:
          for (const b of await seal(answer)) socket.write(Uint8Array.of(b));
          break;
        case TWICE:
          socket.write(await seal(answer));
          socket.write(await seal(answer));
          break;
        case FLIPPED: {
          const f = await seal(answer);
          f[f.length - 1] ^= 1;
          socket.write(f);
          break;
        }
        case REPLAY:
          socket.write(encodeFrame(last!));
          break;
        case PLAIN:
          socket.write(encodeFrame(answer));
          break;
        case CONTEXT:
          socket.write(encodeFrame(await session!.writer.seal(ContentType.CONTEXT, answer)));
          break;
        case SLOW:
          await new Promise((resolve) => setTimeout(resolve, 60));
          socket.write(await seal(answer));
          break;
        case HOLD:
          await new Promise(() => {});
          break;
        default:
          socket.write(await seal(answer));
      }
    };
    socket.on("data", (chunk) => {
      wire.push(new Uint8Array(chunk));
      for (const frame of reader.push(new Uint8Array(chunk))) chain = chain.then(() => handle(frame));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    wire,
    received,
    contexts,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function failure(p: Promise<unknown>): Promise<CardTransportError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CardTransportError);
    return e as CardTransportError;
  }
  throw new Error("no CardTransportError");
}

describe("CardLink", () => {
  let server: EchoServer;
  beforeEach(async () => {
    server = await echoServer();
  });
  afterEach(async () => {
    await server.close();
  });

  test("a command goes out sealed in one record, CLA INS P1 P2 length data; the answer is data and SW", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const answer = await link.transmit({ ins: ECHO, data: Uint8Array.of(1, 2, 3) });
    expect(answer).toEqual({ data: Uint8Array.of(1, 2, 3), sw: 0x9000 });
    const command = [0x80, ECHO, 0, 0, 0, 0, 0, 3, 1, 2, 3];
    expect([...server.received[0]]).toEqual(command);
    // on the wire only ciphertext: the command's bytes never appear in clear
    const wire = Buffer.concat(server.wire);
    expect(wire.includes(Buffer.from(command))).toBe(false);
    expect(await link.transmit({ ins: ECHO, p1: 0x63, p2: 0xc2 })).toEqual({
      data: new Uint8Array(0),
      sw: 0x63c2,
    });
    await link.close();
    expect(link.isOpen).toBe(false);
  });

  test("commands in turn on one link, and an answer that arrives byte by byte", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    for (let i = 0; i < 5; i++)
      expect((await link.transmit({ ins: ECHO, data: Uint8Array.of(i) })).data).toEqual(Uint8Array.of(i));
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    expect((await link.transmit({ ins: DRIP, data: Uint8Array.of(9, 8) })).data).toEqual(Uint8Array.of(9, 8));
    expect((await link.transmit({ ins: ECHO, data: big })).data).toEqual(big);
    await link.close();
  });

  test("one command (or flight) at a time: a second before the answer is refused", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const first = link.transmit({ ins: ECHO, data: Uint8Array.of(1) });
    expect((await failure(link.transmit({ ins: ECHO }))).kind).toBe("busy");
    expect((await first).data).toEqual(Uint8Array.of(1));
    await link.close();
  });

  test("a flight: the commands leave in one write, their answers come back in the same order", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const chunksBefore = server.wire.length;
    const answers = await link.transmitFlight([
      { ins: ECHO, data: Uint8Array.of(1) },
      { ins: ECHO, p1: 0x63, p2: 0xc2, data: Uint8Array.of(2) },
      { ins: ECHO, data: Uint8Array.of(3) },
    ]);
    expect(answers).toEqual([
      { data: Uint8Array.of(1), sw: 0x9000 },
      { data: Uint8Array.of(2), sw: 0x63c2 },
      { data: Uint8Array.of(3), sw: 0x9000 },
    ]);
    const chunks = server.wire.slice(chunksBefore);
    expect(chunks).toHaveLength(1);
    expect(new FrameReader().push(chunks[0])).toHaveLength(3);
    expect(server.received.map((c) => c[8])).toEqual([1, 2, 3]);
    // The link goes on as before.
    expect((await link.transmit({ ins: ECHO, data: Uint8Array.of(4) })).data).toEqual(Uint8Array.of(4));
    await link.close();
  });

  test("in a flight each answer reaches onAnswer as it arrives, before the later ones; a throwing onAnswer changes nothing", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const seen: number[] = [];
    const flight = link.transmitFlight(
      [
        { ins: ECHO, data: Uint8Array.of(1) },
        { ins: SLOW, data: Uint8Array.of(2) },
      ],
      {
        onAnswer: (index, answer) => {
          seen.push(answer.data[0]);
          if (index === 0) throw new Error("the progress display broke");
        },
      },
    );
    for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    // The second is 60 ms behind the first at the card.
    expect(seen).toEqual([1]);
    expect((await flight).map((a) => a.data[0])).toEqual([1, 2]);
    expect(seen).toEqual([1, 2]);
    await link.close();
  });

  test("in a flight each answer has its time from the one before, not from the write", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const answers = await link.transmitFlight(
      [
        { ins: SLOW, data: Uint8Array.of(1) },
        { ins: SLOW, data: Uint8Array.of(2) },
        { ins: SLOW, data: Uint8Array.of(3) },
      ],
      { timeoutMs: 100 },
    );
    expect(answers.map((a) => a.data[0])).toEqual([1, 2, 3]);
    await link.close();
  });

  test("a flight whose card falls silent: a timeout naming that command, and the link is closed", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const e = await failure(link.transmitFlight([{ ins: ECHO }, { ins: SILENT }], { timeoutMs: 100 }));
    expect(e.kind).toBe("timeout");
    expect(e.message).toBe("no answer from the card to INS 11 within 100 ms");
    expect(link.isOpen).toBe(false);
    await link.close();
    // The first command of a flight unanswered: the message names the commands behind it.
    const again = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const first = await failure(again.transmitFlight([{ ins: HOLD }, { ins: ECHO }], { timeoutMs: 100 }));
    expect(first.message).toBe(
      "no answer from the card to INS 1c within 100 ms (INS 10 sent behind it in one flight)",
    );
    await again.close();
  });

  test("a flight while a command is unanswered is refused; an empty or too long one before anything is sent", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const first = link.transmitFlight([{ ins: ECHO, data: Uint8Array.of(1) }, { ins: ECHO }]);
    expect((await failure(link.transmitFlight([{ ins: ECHO }]))).kind).toBe("busy");
    expect((await failure(link.transmit({ ins: ECHO }))).kind).toBe("busy");
    expect((await first)[0].data).toEqual(Uint8Array.of(1));
    const sent = server.received.length;
    const wire = Buffer.concat(server.wire).length;
    expect((await failure(link.transmitFlight([]))).kind).toBe("protocol");
    const tooMany = Array.from({ length: MAX_FLIGHT + 1 }, () => ({ ins: ECHO }));
    expect((await failure(link.transmitFlight(tooMany))).message).toMatch(
      /a flight holds 1 to 4 commands, not 5/,
    );
    // One command of the flight that cannot be encoded: none of them is sent.
    expect((await failure(link.transmitFlight([{ ins: ECHO }, { ins: 0x100 }]))).kind).toBe("protocol");
    expect(server.received).toHaveLength(sent);
    expect(Buffer.concat(server.wire).length).toBe(wire);
    expect((await link.transmit({ ins: ECHO, data: Uint8Array.of(5) })).data).toEqual(Uint8Array.of(5));
    await link.close();
  });

  test("a card that never answers ends in a timeout, and the link is closed", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const e = await failure(link.transmit({ ins: SILENT }, { timeoutMs: 100 }));
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/no answer from the card to INS 11 within 100 ms/);
    expect(link.isOpen).toBe(false);
    expect((await failure(link.transmit({ ins: ECHO }))).kind).toBe("closed");
    await link.close();
  });

  test("the phone hanging up mid-command is a clear error", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const e = await failure(link.transmit({ ins: HANG_UP }));
    expect(e.kind).toBe("closed");
    expect(e.message).toMatch(/closed the card link/);
  });

  test("a frame without a status word, an oversize frame, an unasked answer: protocol errors", async () => {
    let link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    expect((await failure(link.transmit({ ins: NO_SW }))).kind).toBe("protocol");
    expect(link.isOpen).toBe(false);
    link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const huge = await failure(link.transmit({ ins: HUGE }));
    expect(huge.kind).toBe("protocol");
    expect(huge.message).toMatch(/bad frame/);
    link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    await link.transmit({ ins: TWICE });
    // The second, unasked answer closes the link: the stream is no longer in step.
    for (let i = 0; i < 200 && link.isOpen; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(link.isOpen).toBe(false);
    expect((await failure(link.transmit({ ins: ECHO }))).kind).toBe("closed");
  });

  test("a command that cannot be encoded is refused before anything is sent", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const handshakeBytes = Buffer.concat(server.wire).length;
    expect((await failure(link.transmit({ ins: 0x100 }))).kind).toBe("protocol");
    expect((await failure(link.transmit({ ins: ECHO, data: new Uint8Array(1024 * 1024) }))).kind).toBe(
      "protocol",
    );
    expect(server.received).toEqual([]);
    expect(Buffer.concat(server.wire).length).toBe(handshakeBytes);
    await link.close();
  });

  test("sensitive data: the link's copy is overwritten once sent, the caller's is left to the caller", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    const pin = Uint8Array.of(0x31, 0x32, 0x33, 0x34);
    const answer = await link.transmit({ ins: ECHO, data: pin }, { sensitive: true });
    expect(answer.data).toEqual(Uint8Array.of(0x31, 0x32, 0x33, 0x34));
    expect(pin).toEqual(Uint8Array.of(0x31, 0x32, 0x33, 0x34));
    await link.close();
  });

  test("nobody listening: unreachable", async () => {
    const port = server.port;
    await server.close();
    const e = await failure(PcCardLink.connect("127.0.0.1", port, paired));
    expect(e.kind).toBe("unreachable");
    expect(e.message).toMatch(/cannot reach the phone at 127.0.0.1:\d+: ECONNREFUSED/);
    server = await echoServer();
  });
});

describe("CardLink pairing and records", () => {
  let server: EchoServer;
  beforeEach(async () => {
    server = await echoServer();
  });
  afterEach(async () => {
    await server.close();
  });

  test("a wrong code is refused: a pairing failure, and no command was ever sent", async () => {
    const e = await failure(PcCardLink.connect("127.0.0.1", server.port, { pairingCode: "161804" }));
    expect(e.kind).toBe("pairing");
    expect(e.message).toMatch(/pairing with the phone failed/);
    expect(server.received).toEqual([]);
  });

  test("no code, or a code that is not 6 digits: refused before pairing", async () => {
    expect((await failure(PcCardLink.connect("127.0.0.1", server.port))).kind).toBe("pairing");
    const e = await failure(PcCardLink.connect("127.0.0.1", server.port, { pairingCode: "16180" }));
    expect(e.kind).toBe("pairing");
    expect(e.message).toMatch(/6 digits/);
  });

  test("the code is asked for once, after the phone answered; the run id travels inside the session", async () => {
    let asked = 0;
    const link = await PcCardLink.connect("127.0.0.1", server.port, {
      pairingCode: async () => {
        asked++;
        expect(server.wire.length).toBeGreaterThan(0);
        return CODE;
      },
      runId: "run-0badc0de",
    });
    expect(asked).toBe(1);
    expect((await link.transmit({ ins: ECHO, data: Uint8Array.of(7) })).data).toEqual(Uint8Array.of(7));
    expect(server.contexts).toEqual(["run-0badc0de"]);
    expect(Buffer.concat(server.wire).includes(Buffer.from("run-0badc0de"))).toBe(false);
    await link.close();
  });

  test("a run id SessionContext cannot carry is not sent; the link works", async () => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, { ...paired, runId: "run\nid" });
    expect((await link.transmit({ ins: ECHO, data: Uint8Array.of(7) })).data).toEqual(Uint8Array.of(7));
    expect(server.contexts).toEqual([]);
    await link.close();
  });

  test("a phone that does not pair in time: timeout", async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      held.add(s);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const e = await failure(
      PcCardLink.connect("127.0.0.1", (silent.address() as net.AddressInfo).port, {
        ...paired,
        pairingTimeoutMs: 200,
      }),
    );
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/no pairing with the phone within 200 ms/);
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  test.each([
    ["a bit-flipped answer", FLIPPED, /authentication/],
    ["a replayed answer", REPLAY, /replayed/],
    ["an answer in clear", PLAIN, /bad record/],
    ["a record that is not a card response", CONTEXT, /unexpected record type 2/],
  ])("%s is refused and the link closed", async (_what, ins, why) => {
    const link = await PcCardLink.connect("127.0.0.1", server.port, paired);
    await link.transmit({ ins: ECHO });
    const e = await failure(link.transmit({ ins }));
    expect(e.kind).toBe("protocol");
    expect(e.message).toMatch(why);
    expect(link.isOpen).toBe(false);
  });
});

describe("parsePhoneAddress", () => {
  test("HOST:PORT and [v6]:PORT", () => {
    expect(parsePhoneAddress("127.0.0.1:8402")).toEqual({ host: "127.0.0.1", port: 8402 });
    expect(parsePhoneAddress("localhost:1")).toEqual({ host: "localhost", port: 1 });
    expect(parsePhoneAddress("[::1]:65535")).toEqual({ host: "::1", port: 65535 });
  });

  test("anything else is refused", () => {
    for (const bad of ["127.0.0.1", ":80", "h:0", "h:65536", "h:x", "tcp://h:1", "::1:80", ""])
      expect(() => parsePhoneAddress(bad)).toThrow(/is not HOST:PORT/);
  });
});
