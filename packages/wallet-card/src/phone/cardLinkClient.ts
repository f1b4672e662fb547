/**
 * The PC side of the card link: one TCP connection to the phone, one command at a time, each
 * answered by one response frame.
 */
import * as net from "node:net";
import {
  type CardCommand,
  type CardResponse,
  decodeResponse,
  encodeCommand,
  encodeFrame,
  FrameReader,
} from "@setlab/protocol";

export class CardLinkClient {
  private readonly reader = new FrameReader();
  private readonly waiting: { resolve: (r: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  private closedWith?: Error;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = this.reader.push(new Uint8Array(chunk));
      } catch (e) {
        this.fail(e as Error);
        socket.destroy();
        return;
      }
      for (const f of frames) this.waiting.shift()?.resolve(f);
    });
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("the card link closed")));
  }

  static connect(host: string, port: number): Promise<CardLinkClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new CardLinkClient(socket));
      });
    });
  }

  private fail(e: Error): void {
    this.closedWith ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.closedWith);
  }

  /** Send raw bytes as one frame and wait for the next response frame. */
  transmitRaw(payload: Uint8Array): Promise<Uint8Array> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeFrame(payload));
    });
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
