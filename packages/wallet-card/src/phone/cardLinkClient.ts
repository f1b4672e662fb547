/**
 * The PC side of the card link for tests and tools: one TCP connection to the phone, paired over
 * the secure link (docs/card-link.md) with the code the phone shows, or resumed with a bond, then
 * one command at a time, each sealed in a record and answered by one record. (The mediator's own
 * end, with its bond cache and fallback to the code, is @setlab/mediator's CardLink.)
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
  importLinkKey,
  type LinkBond,
  PcHandshake,
  PcResumeHandshake,
  type SecureSession,
} from "@setlab/protocol";

export interface CardLinkClientOptions {
  /** The code the phone shows, or a function asked for it once the phone answered HELLO. */
  readonly pairingCode?: string | (() => Promise<string>);
  /** Resume with this bond instead of pairing (no code). */
  readonly bond?: LinkBond;
  /** When pairing, ask the phone to bond; the new bond is then `client.bond`. */
  readonly keepBond?: boolean;
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
  /** After a pairing that bonded: the new bond, its link key imported non-extractable. */
  bond?: LinkBond;
  /** How the link was made. */
  mode?: SecureSession["mode"];

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

  /** Connect and pair (or resume); rejects with the handshake's SecureLinkError when that fails. */
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
    const crypto = options.crypto ?? globalThis.crypto;
    try {
      let handshake: PcHandshake | PcResumeHandshake;
      if (options.bond) handshake = new PcResumeHandshake(crypto, options.bond);
      else if (options.pairingCode !== undefined)
        handshake = new PcHandshake(crypto, options.pairingCode, { bond: options.keepBond === true });
      else throw new Error("neither a pairing code nor a bond");
      let step = await handshake.start();
      while (!step.session) {
        for (const f of step.send) socket.write(encodeFrame(f));
        step = await handshake.step(await client.nextFrame());
      }
      client.session = step.session;
      client.mode = step.session.mode;
      if (step.session.linkKey && step.session.bondId)
        client.bond = {
          bondId: step.session.bondId,
          linkKey: await importLinkKey(crypto, step.session.linkKey),
        };
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
