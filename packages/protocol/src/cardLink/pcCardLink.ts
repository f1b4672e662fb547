/**
 * The PC's end of the card link (docs/card-link.md), used by the mediator, the lab and the
 * conformance kit alike: a TCP client to the phone process. It first pairs with the phone (the PC
 * side of the secure link: ECDH, the 6-digit code the phone shows, key confirmation), or, given a
 * bond (a BondCache that holds one for this phone, or one bond passed in), resumes it (fresh ECDH
 * authenticated by the link key, no code); a pairing with a BondCache (or `keepBond`) asks the
 * phone to bond and keeps the bond. Then each command goes out as one AES-256-GCM record and the card's answer comes back as one;
 * `transmit` waits for it with a timeout. `transmitFlight` sends a few commands in one write, and
 * the card answers them in order (docs/card-link.md, "A flight of commands"): one round trip where
 * the PC already knows what it will send next. A command or a flight while another is unanswered is
 * refused. After a timeout, a broken frame or a record that fails to open the link is closed,
 * since the stream cannot be resynchronised.
 */
import * as net from "node:net";
import { concatBytes } from "../bytes";
import {
  type CardCommand,
  type CardResponse,
  ContentType,
  decodeResponse,
  encodeCardData,
  encodeCommand,
  encodeFrame,
  FrameReader,
  type HandshakeStep,
  importLinkKey,
  insName,
  type LinkBond,
  PcHandshake,
  PcResumeHandshake,
  SecureLinkError,
  type SecureSession,
} from "../card";
import { type CryptoProvider, defaultProvider } from "../crypto/provider";
import type { BondCache, PcBond } from "./bondCache";
import { CardTransportError } from "./cardTransportError";

export interface PcCardLinkOptions {
  /** Give up connecting after this many milliseconds (default 5 000). */
  readonly connectTimeoutMs?: number;
  /** Default wait for each answer, in milliseconds (default 30 000). */
  readonly timeoutMs?: number;
  /**
   * The code the phone shows, 6 digits, or a function asked once the phone has answered (and so
   * shows its code): a prompt. Required to pair; not asked when a bond resumes.
   */
  readonly pairingCode?: string | (() => Promise<string>);
  /**
   * The PC's bonds, in memory (and in the cache's keeper, if it has one): resume this phone's bond
   * if there is one (falling back to the code if the phone no longer has it), and keep the bond a
   * pairing makes.
   */
  readonly bonds?: BondCache;
  /** Resume this one bond (tests and tools); no cache, no fallback to the code. */
  readonly bond?: LinkBond;
  /** When pairing without a cache, ask the phone to bond; the new bond is then `link.bond`. */
  readonly keepBond?: boolean;
  /** Give up pairing after this many milliseconds, typing the code included (default 120 000). */
  readonly pairingTimeoutMs?: number;
  /**
   * Give up resuming after this many milliseconds (default: `timeoutMs`, as for a card command: a
   * resumption is no more work for the phone than one).
   */
  readonly resumeTimeoutMs?: number;
  /** The lab's run id, sent inside the secure session so the phone's log carries it. */
  readonly runId?: string;
  /** The crypto provider the link runs on (default node's). */
  readonly provider?: CryptoProvider;
}

/** One command sent and not yet answered. Only the oldest one's clock runs. */
interface Pending {
  readonly resolve: (r: CardResponse) => void;
  readonly reject: (e: Error) => void;
  /** For the timeout's message. */
  readonly name: string;
  readonly timeoutMs: number;
  timer?: NodeJS.Timeout;
}

/** At most this many commands in one flight: more than a purchase needs, few enough to stay small. */
export const MAX_FLIGHT = 4;

export class PcCardLink {
  private readonly reader = new FrameReader();
  /** Commands sent and not yet answered, oldest first; the card answers in order. */
  private pending: Pending[] = [];
  private closed = false;
  private closeReason = "the card link is closed";
  private session?: SecureSession;
  /** "paired" by the code, or "resumed" with a bond. */
  private how: SecureSession["mode"] = "paired";
  /** After a pairing with `keepBond`: the new bond, its link key imported non-extractable. */
  bond?: LinkBond;
  /** While pairing: where handshake frames go. */
  private handshakeFrames?: { push(frame: Uint8Array): void };
  /** Inbound frames are opened one after another (opening is asynchronous). */
  private inbound: Promise<void> = Promise.resolve();

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.shut(`card link to ${address} failed: ${e.message}`));
    socket.on("close", () => this.shut(`the phone at ${address} closed the card link`));
  }

  /**
   * Open a link to the phone at host:port: resume the bond `options.bonds` holds for it, else (or
   * when the phone no longer has that bond) pair with the code.
   */
  static async connect(host: string, port: number, options: PcCardLinkOptions = {}): Promise<PcCardLink> {
    const bonds = options.bonds;
    const phone = `${host}:${port}`;
    const single = options.bond;
    if (single) {
      const provider = options.provider ?? defaultProvider;
      return PcCardLink.establish(host, port, options, (link) =>
        link.resume({ ...single, provider }, options),
      );
    }
    let waited = false;
    for (;;) {
      const bond = await bonds?.recall(phone, options.provider ?? defaultProvider);
      if (bond) {
        try {
          return await PcCardLink.establish(host, port, options, (link) => link.resume(bond, options));
        } catch (e) {
          // The phone no longer holds the bond (revoked, expired), or holds another key under its id:
          // forget it and pair again if there is a code. Someone in between gains nothing by causing
          // this: the pairing needs the code, and a forged ALERT could force it anyway.
          const stale = e instanceof CardTransportError && (e.link === "unbonded" || e.link === "pairing");
          if (!stale) throw e;
          await bonds!.discard(phone, bond.bondId);
          if (options.pairingCode === undefined) throw e;
        }
      }
      // A pairing with this phone already under way here will leave a bond: wait and resume with it.
      const other = waited ? undefined : bonds?.pairingWith(phone);
      if (other) {
        waited = true;
        await other;
        continue;
      }
      const pairing = PcCardLink.establish(host, port, options, (link) => link.pair(options, phone));
      return bonds ? bonds.track(phone, pairing) : pairing;
    }
  }

  private static async establish(
    host: string,
    port: number,
    options: PcCardLinkOptions,
    handshake: (link: PcCardLink) => Promise<void>,
  ): Promise<PcCardLink> {
    const link = await PcCardLink.open(host, port, options);
    try {
      await handshake(link);
    } catch (e) {
      await link.close();
      throw e;
    }
    return link;
  }

  private static open(host: string, port: number, options: PcCardLinkOptions): Promise<PcCardLink> {
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
        resolve(new PcCardLink(socket, address, options.timeoutMs ?? 30_000));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** How this link was made: "paired" by the code, or "resumed" with a bond. */
  get mode(): SecureSession["mode"] {
    return this.how;
  }

  /** The pairing by code (docs/card-link.md); with a bond cache, it asks to bond and keeps the bond. */
  private async pair(options: PcCardLinkOptions, phone: string): Promise<void> {
    const code = options.pairingCode;
    if (code === undefined)
      throw new CardTransportError("pairing", "no pairing code: give the code the phone shows");
    const provider = options.provider ?? defaultProvider;
    const bonds = options.bonds;
    const session = await this.handshake(
      new PcHandshake(provider, code, { bond: bonds !== undefined || options.keepBond === true }),
      options.pairingTimeoutMs ?? 120_000,
      "pairing",
    );
    const raw = session.linkKey;
    if (raw && session.bondId) {
      if (bonds) {
        const kept = await bonds.keep(phone, { bondId: session.bondId, linkKey: raw }, provider);
        if (options.keepBond) this.bond = { bondId: kept.bondId, linkKey: kept.linkKey };
      } else {
        try {
          this.bond = { bondId: session.bondId, linkKey: await importLinkKey(provider, raw) };
        } finally {
          raw.fill(0);
        }
      }
    }
    await this.begin(session, options, "paired");
  }

  /** Resume a bond: fresh ECDH, both ends prove the link key, no code. */
  private async resume(bond: PcBond, options: PcCardLinkOptions): Promise<void> {
    const session = await this.handshake(
      new PcResumeHandshake(bond.provider, bond),
      options.resumeTimeoutMs ?? options.timeoutMs ?? 30_000,
      "resumption",
    );
    await this.begin(session, options, "resumed");
  }

  private async begin(session: SecureSession, options: PcCardLinkOptions, how: SecureSession["mode"]) {
    this.session = session;
    this.how = how;
    if (options.runId === undefined) return;
    let context: Uint8Array;
    try {
      context = encodeCardData("SessionContext", { runId: options.runId });
    } catch {
      // Only a label for the phone's log, which would drop it anyway: not worth a failed purchase.
      return;
    }
    this.socket.write(encodeFrame(await session.writer.seal(ContentType.CONTEXT, context)));
  }

  /** Run a handshake machine over the socket; resolves once both ends confirmed the keys. */
  private async handshake(
    handshake: { start(): Promise<HandshakeStep>; step(frame: Uint8Array): Promise<HandshakeStep> },
    timeoutMs: number,
    kind: "pairing" | "resumption",
  ): Promise<SecureSession> {
    const what =
      kind === "pairing" ? "pairing with the phone failed" : "resuming the bond with the phone failed";
    const closedHint =
      kind === "pairing"
        ? "(a wrong code, or the phone refuses pairings for now)"
        : "(the phone refuses resumptions for now, or no longer holds the bond)";
    const session = await new Promise<SecureSession>((resolve, reject) => {
      let done = false;
      const finish = (error?: Error, s?: SecureSession) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.handshakeFrames = undefined;
        if (error) reject(error);
        else resolve(s!);
      };
      const timer = setTimeout(
        () => finish(new CardTransportError("timeout", `no ${kind} with the phone within ${timeoutMs} ms`)),
        timeoutMs,
      );
      let chain: Promise<void> = Promise.resolve();
      const run = (step: () => Promise<{ send: readonly Uint8Array[]; session?: SecureSession }>) => {
        chain = chain.then(async () => {
          if (done) return;
          try {
            const out = await step();
            // A pairing round's REVEAL and the next COMMIT go out in one write. A resumption's last
            // FINISHED is held back until the turn of the event loop ends, so that the session
            // context and the first command written behind it leave in the same segment.
            if (out.send.length > 0) {
              if (out.session) {
                this.socket.cork();
                setImmediate(() => this.socket.uncork());
              }
              this.socket.write(concatBytes(out.send.map(encodeFrame)));
            }
            if (out.session) finish(undefined, out.session);
          } catch (e) {
            const kind = e instanceof SecureLinkError ? e.kind : undefined;
            finish(
              e instanceof CardTransportError
                ? e
                : new CardTransportError(
                    kind === "handshake" ? "protocol" : kind === "unbonded" ? "unbonded" : "pairing",
                    `${what}: ${(e as Error).message}`,
                    kind,
                  ),
            );
          }
        });
      };
      this.handshakeFrames = { push: (frame) => run(() => handshake.step(frame)) };
      // After the frames that came before the close (an ALERT says more than the close itself).
      this.onShut = (reason) => {
        chain = chain.then(() =>
          finish(new CardTransportError("pairing", `${what}: ${reason} ${closedHint}`)),
        );
      };
      run(() => handshake.start());
    });
    this.onShut = undefined;
    return session;
  }

  private onShut?: (reason: string) => void;

  /**
   * Send one command and wait for the card's answer: its data and status word. With `sensitive`,
   * the link's own copies of the data are overwritten once written to the socket.
   */
  async transmit(
    command: CardCommand,
    options: { timeoutMs?: number; sensitive?: boolean } = {},
  ): Promise<CardResponse> {
    const [answer] = await this.transmitFlight([command], options);
    return answer;
  }

  /**
   * Send up to MAX_FLIGHT commands in one write and wait for all their answers, in the same order.
   * The card runs them one after the other as if each had waited for the one before: a command
   * that depends on an earlier one's success (a PURCHASE after a PINIT_RESPONSE) is refused by the
   * card when that one failed, so the caller reads the answers in order and stops at the first
   * that is not 9000. Each answer must come within `timeoutMs` of the one before (of the write, for
   * the first). With `sensitive`, the link's copies of every command are overwritten once sealed.
   */
  transmitFlight(
    commands: readonly CardCommand[],
    options: {
      timeoutMs?: number;
      sensitive?: boolean;
      /** Each answer as it arrives, before the next (the caller may show progress on it). */
      onAnswer?: (index: number, answer: CardResponse) => void;
    } = {},
  ): Promise<CardResponse[]> {
    if (this.closed) return Promise.reject(new CardTransportError("closed", this.closeReason));
    if (this.pending.length > 0)
      return Promise.reject(
        new CardTransportError("busy", "the card link is busy: a command is still unanswered"),
      );
    const session = this.session;
    if (!session) return Promise.reject(new CardTransportError("closed", "the card link is not paired"));
    if (commands.length === 0 || commands.length > MAX_FLIGHT)
      return Promise.reject(
        new CardTransportError(
          "protocol",
          `a flight holds 1 to ${MAX_FLIGHT} commands, not ${commands.length}`,
        ),
      );
    const encoded: Uint8Array[] = [];
    try {
      for (const command of commands) encoded.push(encodeCommand(command));
    } catch (e) {
      for (const bytes of encoded) bytes.fill(0);
      return Promise.reject(
        new CardTransportError("protocol", `cannot send the command: ${(e as Error).message}`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const onAnswer = options.onAnswer;
    const answers = commands.map(
      (command, index) =>
        new Promise<CardResponse>((resolve, reject) => {
          const name = insName(command.ins) ?? `INS ${Number(command.ins).toString(16).padStart(2, "0")}`;
          const answered = onAnswer
            ? (answer: CardResponse) => {
                try {
                  onAnswer(index, answer);
                } catch {
                  // the caller's progress display never changes what the card answered
                }
                resolve(answer);
              }
            : resolve;
          this.pending.push({ resolve: answered, reject, name, timeoutMs });
        }),
    );
    this.startClock();
    void this.sealAndWrite(session, encoded, options.sensitive === true);
    return Promise.all(answers);
  }

  private async sealAndWrite(session: SecureSession, encoded: Uint8Array[], sensitive: boolean) {
    const frames: Uint8Array[] = [];
    try {
      for (const bytes of encoded)
        frames.push(encodeFrame(await session.writer.seal(ContentType.CARD, bytes)));
    } catch (e) {
      this.fail(new CardTransportError("protocol", `cannot send the command: ${(e as Error).message}`));
      return;
    } finally {
      // The commands' copies of sensitive data (a PIN) go once sealed.
      if (sensitive) for (const bytes of encoded) bytes.fill(0);
    }
    if (this.closed) return;
    this.socket.write(frames.length === 1 ? frames[0] : concatBytes(frames));
  }

  /** The oldest unanswered command's clock, if it is not running yet. */
  private startClock(): void {
    const head = this.pending[0];
    if (!head || head.timer) return;
    head.timer = setTimeout(() => {
      this.pending.shift();
      // Name what was sent behind it too: those commands wait for this one at the card.
      const behind = this.pending.map((p) => p.name);
      const flight = behind.length > 0 ? ` (${behind.join(", ")} sent behind it in one flight)` : "";
      head.reject(
        new CardTransportError(
          "timeout",
          `no answer from the card to ${head.name} within ${head.timeoutMs} ms${flight}`,
        ),
      );
      this.shut(`the card link was closed after ${head.name} timed out`);
    }, head.timeoutMs);
  }

  /** Every unanswered command is refused with `error`. */
  private refuseAll(error: CardTransportError): void {
    const all = this.pending;
    this.pending = [];
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(error);
    }
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
      if (this.handshakeFrames) {
        this.handshakeFrames.push(frame);
        continue;
      }
      const session = this.session;
      if (!session) {
        this.fail(new CardTransportError("protocol", "the phone sent a frame before pairing"));
        return;
      }
      this.inbound = this.inbound.then(() => this.onRecord(session, frame));
    }
  }

  private async onRecord(session: SecureSession, frame: Uint8Array): Promise<void> {
    if (this.closed) return;
    let payload: Uint8Array;
    try {
      const opened = await session.reader.open(frame);
      if (opened.contentType !== ContentType.CARD)
        throw new Error(`unexpected record type ${opened.contentType}`);
      payload = opened.payload;
    } catch (e) {
      this.fail(new CardTransportError("protocol", `the phone sent a bad record: ${(e as Error).message}`));
      return;
    }
    const p = this.pending.shift();
    if (!p) {
      this.fail(new CardTransportError("protocol", "the phone sent an answer nobody asked for"));
      return;
    }
    clearTimeout(p.timer);
    let answer: CardResponse;
    try {
      answer = decodeResponse(payload);
    } catch (e) {
      p.reject(new CardTransportError("protocol", `the phone sent a bad answer: ${(e as Error).message}`));
      this.shut("the card link was closed after a bad answer");
      return;
    }
    this.startClock();
    p.resolve(answer);
  }

  private fail(error: CardTransportError): void {
    this.refuseAll(error);
    this.shut(`the card link was closed: ${error.message}`);
  }

  private shut(reason: string): void {
    if (!this.closed) {
      this.closed = true;
      this.closeReason = reason;
    }
    this.onShut?.(reason);
    this.refuseAll(new CardTransportError("closed", reason));
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

/** Open a card link to the phone: resume the bond `bonds` holds for it, else pair with `pairingCode`. */
export function connectCardLink(
  options: PcCardLinkOptions & { host: string; port: number },
): Promise<PcCardLink> {
  return PcCardLink.connect(options.host, options.port, options);
}
