/**
 * The phone's card link: a TCP server, one card session per connection, behind the secure link
 * of `@setlab/protocol` (docs/card-link.md). Each connection first pairs: the PC's HELLO, 20
 * passkey rounds over the code the phone shows, key confirmation. Only then does the phone open a
 * card session, and from then on every frame must be the next AES-256-GCM record. Before pairing
 * completes no card command is run: a frame that is not the expected handshake message closes the
 * connection without an answer. A failed pairing or a refused record closes it too. After
 * `maxFailures` failed pairings in a row the phone refuses new pairings for `lockoutMs` (logged).
 * Nothing a peer sends ends the process.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as net from "node:net";
import {
  alertFrame,
  ContentType,
  decodeHandshake,
  encodeFrame,
  FrameReader,
  PairingThrottle,
  PhoneHandshake,
  randomPairingCode,
  type SecureSession,
} from "@setlab/protocol";
import type { Logger } from "@setlab/runtime";
import type { CardApplet } from "../card/applet";

export interface CardLinkServer {
  readonly server: net.Server;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export interface PairingOptions {
  /** Test policy: this fixed code for every connection. Default: a fresh random code per connection. */
  readonly code?: string;
  /** Shows a fresh code on the phone's screen (called once per pairing attempt, random codes only). */
  readonly show?: (code: string) => void;
  /** Failed pairings in a row before the lockout (default 3). */
  readonly maxFailures?: number;
  /** How long new pairings are refused after that, in milliseconds (default 30 000). */
  readonly lockoutMs?: number;
  /** A pairing must complete within this time, in milliseconds (default 120 000: a human types the code). */
  readonly timeoutMs?: number;
}

export interface CardLinkServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly logger?: Logger;
  /** The WebCrypto the link runs on (default node's). */
  readonly crypto?: Crypto;
  readonly pairing?: PairingOptions;
}

/** The connection a card command runs for, for the phone's log lines (`runId` once the PC sent it). */
export interface LinkContext {
  readonly session: number;
  runId?: string;
}

export const linkContext = new AsyncLocalStorage<LinkContext>();

const RUN_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** A well-formed HELLO: only that starts a pairing (and counts towards the failed-pairing limit). */
function isHello(frame: Uint8Array): boolean {
  try {
    return decodeHandshake(frame).type === "hello";
  } catch {
    return false;
  }
}

export function startCardLinkServer(
  applet: CardApplet,
  options: CardLinkServerOptions = {},
): Promise<CardLinkServer> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger;
  const crypto = options.crypto ?? globalThis.crypto;
  const pairing = options.pairing ?? {};
  const throttle = new PairingThrottle({ maxFailures: pairing.maxFailures, lockoutMs: pairing.lockoutMs });
  const pairingTimeoutMs = pairing.timeoutMs ?? 120_000;
  const sockets = new Set<net.Socket>();
  let nextSession = 1;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const context: LinkContext = { session: nextSession++ };
    const id = context.session;
    const reader = new FrameReader();
    let chain: Promise<void> = Promise.resolve();
    let handshake: PhoneHandshake | undefined;
    let secure: SecureSession | undefined;
    let card: ReturnType<CardApplet["openSession"]> | undefined;
    let ended = false;
    let attempted = false;
    log?.info({ session: id }, "card link connection");

    const end = (alert?: Uint8Array) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (alert && !socket.destroyed && socket.writable) socket.end(encodeFrame(alert));
      else socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    const pairingFailed = (reason: string, alert: boolean) => {
      if (attempted && !secure) {
        attempted = false;
        const locked = throttle.failed();
        log?.warn({ session: id, reason }, "pairing failed");
        if (locked)
          log?.warn(
            { session: id, lockoutMs: throttle.lockoutMs },
            `${throttle.maxFailures} failed pairings in a row: new pairings refused for ${throttle.lockoutMs} ms`,
          );
      } else log?.warn({ session: id, reason }, "unpaired connection closed");
      end(alert ? alertFrame("pairing") : undefined);
    };
    const timer = setTimeout(() => {
      if (!secure) pairingFailed(`not paired within ${pairingTimeoutMs} ms`, false);
    }, pairingTimeoutMs);
    timer.unref();

    const handle = async (frame: Uint8Array): Promise<void> => {
      if (ended) return;
      if (secure) {
        let opened: Awaited<ReturnType<SecureSession["reader"]["open"]>>;
        try {
          opened = await secure.reader.open(frame);
        } catch (e) {
          log?.warn({ ...context, reason: (e as Error).message }, "card link record refused: link closed");
          return end();
        }
        if (opened.contentType === ContentType.CONTEXT) {
          try {
            const runId = (JSON.parse(new TextDecoder().decode(opened.payload)) as { runId?: unknown }).runId;
            if (typeof runId === "string" && RUN_ID.test(runId)) context.runId = runId;
          } catch {
            // a context the phone cannot read only costs the log its run id
          }
          log?.info({ ...context }, "card link context");
          return;
        }
        if (opened.contentType !== ContentType.CARD) {
          log?.warn({ ...context, contentType: opened.contentType }, "unknown record type: link closed");
          return end();
        }
        const session = card!;
        const response = await linkContext.run(context, () => session.transmit(opened.payload));
        opened.payload.fill(0);
        const record = await secure.writer.seal(ContentType.CARD, response);
        if (!ended && !socket.destroyed && socket.writable) socket.write(encodeFrame(record));
        return;
      }
      if (!handshake) {
        // The first frame must be the PC's HELLO: anything else (a card command) gets no answer.
        if (!isHello(frame)) return pairingFailed("the first frame is not a HELLO", false);
        const lockedFor = throttle.lockedFor();
        if (lockedFor > 0) {
          log?.warn({ session: id, lockedForMs: lockedFor }, "pairing refused: too many failed pairings");
          return end(alertFrame("locked"));
        }
        const code = pairing.code ?? randomPairingCode(crypto);
        handshake = new PhoneHandshake(crypto, code);
        attempted = true;
        if (pairing.code === undefined) pairing.show?.(code);
      }
      try {
        const step = await handshake.step(frame);
        for (const out of step.send) if (!socket.destroyed && socket.writable) socket.write(encodeFrame(out));
        if (step.session) {
          secure = step.session;
          clearTimeout(timer);
          throttle.succeeded();
          card = applet.openSession();
          log?.info(
            { session: id, link: Buffer.from(step.session.sessionId).toString("hex").slice(0, 16) },
            "card link paired",
          );
        }
      } catch (e) {
        pairingFailed((e as Error).message, true);
      }
    };

    socket.on("data", (chunk) => {
      if (ended) return;
      let frames: Uint8Array[];
      try {
        frames = reader.push(new Uint8Array(chunk));
      } catch {
        chain = chain.then(() => {
          if (secure) {
            log?.warn({ ...context }, "oversize frame: link closed");
            end();
          } else pairingFailed("oversize frame", false);
        });
        return;
      }
      for (const frame of frames)
        chain = chain
          .then(() => handle(frame))
          .catch((e) => {
            log?.error({ ...context, err: (e as Error).message }, "card link fault: link closed");
            end();
          });
    });
    socket.on("end", () => {
      chain = chain.then(() => {
        if (!secure && attempted) pairingFailed("the PC left during pairing", false);
        end();
      });
    });
    socket.on("error", (e) =>
      log?.warn({ session: id, err: (e as NodeJS.ErrnoException).code }, "socket error"),
    );
    socket.on("close", () => {
      clearTimeout(timer);
      sockets.delete(socket);
      if (!secure && attempted) {
        chain = chain.then(() => pairingFailed("the PC left during pairing", false));
      }
      log?.info({ ...context }, "card link closed");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      server.on("error", (e) => log?.error({ err: (e as Error).message }, "server error"));
      const address = server.address() as net.AddressInfo;
      resolve({
        server,
        host,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
