/**
 * The PC side of the card link for tests and tools: one TCP connection to the phone, paired over
 * the secure link (docs/card-link.md) with the code the phone shows, then one command at a time,
 * each sealed in a record and answered by one record.
 */
import * as net from "node:net";
import {
  type CardCommand,
  type CardResponse,
  ContentType,
  decodeResponse,
  encodeCommand,
  encodeFrame,
  FrameReader,
  PcHandshake,
  type SecureSession,
} from "@setlab/protocol";

export interface CardLinkClientOptions {
  /** The code the phone shows, or a function asked for it once the phone answered HELLO. */
  readonly pairingCode: string | (() => Promise<string>);
  /** Sent inside the session so the phone's log lines carry it. */
  readonly runId?: string;
  readonly crypto?: Crypto;
}

export class CardLinkClient {
  private readonly reader = new FrameReader();
  private readonly frames: Uint8Array[] = [];
  private readonly waiting: { resolve: (f: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  private closedWith?: Error;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly socket: net.Socket,
    private session?: SecureSession,
  ) {
    socket.on("data", (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = this.reader.push(new Uint8Array(chunk));
      } catch (e) {
        this.fail(e as Error);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        const w = this.waiting.shift();
        if (w) w.resolve(f);
        else this.frames.push(f);
      }
    });
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("the card link closed")));
  }

  /** Connect and pair; rejects with the handshake's SecureLinkError when pairing fails. */
  static async connect(host: string, port: number, options: CardLinkClientOptions): Promise<CardLinkClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection({ host, port });
      s.once("error", reject);
      s.once("connect", () => {
        s.off("error", reject);
        resolve(s);
      });
    });
    const client = new CardLinkClient(socket);
    try {
      const handshake = new PcHandshake(options.crypto ?? globalThis.crypto, options.pairingCode);
      let step = await handshake.start();
      while (!step.session) {
        for (const f of step.send) socket.write(encodeFrame(f));
        step = await handshake.step(await client.nextFrame());
      }
      client.session = step.session;
      if (options.runId !== undefined)
        socket.write(
          encodeFrame(
            await step.session.writer.seal(
              ContentType.CONTEXT,
              new TextEncoder().encode(JSON.stringify({ runId: options.runId })),
            ),
          ),
        );
      return client;
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }

  private nextFrame(): Promise<Uint8Array> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private fail(e: Error): void {
    this.closedWith ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.closedWith);
  }

  /** Send raw bytes as one sealed record and open the next answer record. */
  transmitRaw(payload: Uint8Array): Promise<Uint8Array> {
    const run = this.chain.then(async () => {
      const session = this.session;
      if (!session) throw new Error("the card link is not paired");
      if (this.closedWith) throw this.closedWith;
      this.socket.write(encodeFrame(await session.writer.seal(ContentType.CARD, payload)));
      const answer = await session.reader.open(await this.nextFrame());
      return answer.payload;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async transmit(command: CardCommand): Promise<CardResponse> {
    return decodeResponse(await this.transmitRaw(encodeCommand(command)));
  }

  close(): Promise<void> {
    return new Promise((done) => {
      if (this.socket.destroyed) return done();
      this.socket.once("close", () => done());
      this.socket.end();
    });
  }
}
