/**
 * The mediator's end of the card link (docs/purchase-flow.md, "Card link"): a TCP client to the
 * phone process on loopback. Each command goes out as one length-prefixed frame and the card's
 * answer comes back as one; `transmit` waits for it with a timeout. One command at a time, as on
 * a real card: a second `transmit` before the first is answered is refused. After a timeout or a
 * broken frame the link is closed, since the stream cannot be resynchronised.
 */
import * as net from "node:net";
import {
  type CardResponse,
  decodeResponse,
  encodeCommand,
  encodeFrame,
  FrameReader,
  insName,
} from "@setlab/protocol";

export type CardTransportFailure = "unreachable" | "timeout" | "closed" | "busy" | "protocol";

/** A failure of the link itself (not a status word): one line, never carrying command data. */
export class CardTransportError extends Error {
  override readonly name = "CardTransportError";
  constructor(
    readonly kind: CardTransportFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface CardLinkOptions {
  /** Give up connecting after this many milliseconds (default 5 000). */
  readonly connectTimeoutMs?: number;
  /** Default wait for each answer, in milliseconds (default 30 000). */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly resolve: (r: CardResponse) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class CardLink {
  private readonly reader = new FrameReader();
  private pending?: Pending;
  private closed = false;
  private closeReason = "the card link is closed";

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.shut(`card link to ${address} failed: ${e.message}`));
    socket.on("close", () => this.shut(`the phone at ${address} closed the card link`));
  }

  /** Open a link to the phone at host:port. */
  static connect(host: string, port: number, options: CardLinkOptions = {}): Promise<CardLink> {
    const address = `${host}:${port}`;
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new CardTransportError("timeout", `no card link to ${address} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once("error", (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new CardTransportError(
            "unreachable",
            `cannot reach the phone at ${address}: ${e.code ?? e.message}`,
          ),
        );
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        socket.setNoDelay(true);
        resolve(new CardLink(socket, address, options.timeoutMs ?? 30_000));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Send one command and wait for the card's answer: its data and status word. With `sensitive`,
   * the link's own copies of the data are overwritten once written to the socket.
   */
  transmit(
    ins: number,
    p1 = 0,
    p2 = 0,
    data: Uint8Array = new Uint8Array(0),
    options: { timeoutMs?: number; sensitive?: boolean } = {},
  ): Promise<CardResponse> {
    if (this.closed) return Promise.reject(new CardTransportError("closed", this.closeReason));
    if (this.pending)
      return Promise.reject(new CardTransportError("busy", "the card link is busy: one command at a time"));
    let frame: Uint8Array;
    try {
      const command = encodeCommand({ ins, p1, p2, data });
      frame = encodeFrame(command);
      // The command's copy of sensitive data (a PIN) goes at once; the frame's once it is sent.
      if (options.sensitive) command.fill(0);
    } catch (e) {
      return Promise.reject(
        new CardTransportError("protocol", `cannot send the command: ${(e as Error).message}`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const name = insName(ins) ?? `INS ${ins.toString(16).padStart(2, "0")}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(
          new CardTransportError("timeout", `no answer from the card to ${name} within ${timeoutMs} ms`),
        );
        this.shut(`the card link was closed after ${name} timed out`);
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.socket.write(frame, () => {
        if (options.sensitive) frame.fill(0);
      });
    });
  }

  /** Close the link; an unanswered command is refused. */
  close(): Promise<void> {
    if (this.socket.destroyed) {
      this.shut("the card link is closed");
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.shut("the card link is closed");
      this.socket.end();
      // A peer that never finishes its side does not hold the mediator.
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.reader.push(new Uint8Array(chunk));
    } catch (e) {
      this.fail(new CardTransportError("protocol", `the phone sent a bad frame: ${(e as Error).message}`));
      return;
    }
    for (const frame of frames) {
      const p = this.pending;
      if (!p) {
        this.fail(new CardTransportError("protocol", "the phone sent an answer nobody asked for"));
        return;
      }
      this.pending = undefined;
      clearTimeout(p.timer);
      try {
        p.resolve(decodeResponse(frame));
      } catch (e) {
        p.reject(new CardTransportError("protocol", `the phone sent a bad answer: ${(e as Error).message}`));
        this.shut("the card link was closed after a bad answer");
      }
    }
  }

  private fail(error: CardTransportError): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.shut(`the card link was closed: ${error.message}`);
  }

  private shut(reason: string): void {
    if (!this.closed) {
      this.closed = true;
      this.closeReason = reason;
    }
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(new CardTransportError("closed", reason));
    }
    if (!this.socket.destroyed && this.socket.writable) this.socket.end();
    if (!this.socket.destroyed) setTimeout(() => this.socket.destroy(), 1_000).unref();
  }
}

/** Parse `HOST:PORT` (or `[v6]:PORT`) for the phone. */
export function parsePhoneAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port < 1 || port > 65535)
    throw new CardTransportError("unreachable", `phone address "${text}" is not HOST:PORT`);
  return { host: m[1] ?? m[2], port };
}
