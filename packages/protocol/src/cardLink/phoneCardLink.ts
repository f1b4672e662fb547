/**
 * The phone's end of the card link: a TCP server, one card session per connection, behind the
 * secure link (docs/card-link.md). The card behind it is anything that opens sessions that answer
 * command bytes with response bytes (the wallet's CardApplet; a test double). Each connection first pairs or resumes. Pairing: the
 * PC's HELLO, 20 passkey rounds over the code the phone shows, key confirmation; when the PC asks
 * and the phone has a bond store, the pairing leaves a bond, kept before the phone's FINISHED
 * leaves. Resumption: the PC's RESUME names a bond, fresh ECDH, both ends prove the link key; no
 * code. Only then does the phone open a card session, and from then on every frame must be the
 * next AES-256-GCM record. Before that no card command is run: a frame that is not the expected
 * handshake message closes the connection without an answer. A failed pairing or resumption or a
 * refused record closes it too. After `maxFailures` failures in a row the phone refuses new
 * pairings (or resumptions: each has its own count) for `lockoutMs` (logged). A resumption that is
 * merely slow or abandoned does not count (it reveals nothing, unlike a pairing's bits), and one
 * unknown bond id counts once until the next resumption succeeds (a PC's connections started
 * together with the same stale bond are one mistake). Nothing a peer sends ends the process.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as net from "node:net";
import { toHex } from "../bytes";
import {
  alertFrame,
  type BondLookup,
  bondIdHex,
  ContentType,
  decodeCardData,
  decodeHandshake,
  encodeFrame,
  FrameReader,
  PairingThrottle,
  PhoneHandshake,
  PhoneResumeHandshake,
  randomPairingCode,
  SecureLinkError,
  type SecureSession,
} from "../card";

/** The card the phone hosts: a session per connection, one command in, one response out. */
export interface CardEndpoint {
  openSession(): { transmit(command: Uint8Array): Promise<Uint8Array> };
}

/** Where the phone's end logs (a pino logger fits): objects with a message, never a secret. */
export interface LinkLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PhoneCardLink {
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
  /**
   * Where the phone keeps bonds (bondStore.ts). Without it the phone bonds with nobody and answers
   * every RESUME with ALERT(unknown bond).
   */
  readonly bonds?: PhoneBonds;
  /**
   * A resumption must complete within this time, in milliseconds (default 30 000: nobody types,
   * but a busy phone may be slow, and the PC waits as long for a card answer).
   */
  readonly resumeTimeoutMs?: number;
}

/** The phone's bonds as the link needs them. */
export interface PhoneBonds {
  readonly lookup: BondLookup;
  /** Keep a new bond; the link key's bytes are wiped by it. */
  add(bondId: Uint8Array, linkKey: Uint8Array): Promise<void>;
}

export interface PhoneCardLinkOptions {
  readonly host?: string;
  readonly port?: number;
  readonly logger?: LinkLogger;
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

/**
 * A well-formed HELLO starts a pairing, a well-formed RESUME a resumption (and each counts towards
 * its failure limit); anything else is no attempt at all.
 */
function openingOf(frame: Uint8Array): "pairing" | "resumption" | undefined {
  try {
    const type = decodeHandshake(frame).type;
    return type === "hello" ? "pairing" : type === "resume" ? "resumption" : undefined;
  } catch {
    return undefined;
  }
}

const noBonds: BondLookup = async () => undefined;

export function startPhoneCardLink(
  card: CardEndpoint,
  options: PhoneCardLinkOptions = {},
): Promise<PhoneCardLink> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger;
  const crypto = options.crypto ?? globalThis.crypto;
  const pairing = options.pairing ?? {};
  const throttles = {
    pairing: new PairingThrottle({ maxFailures: pairing.maxFailures, lockoutMs: pairing.lockoutMs }),
    // Its own count: a stranger guessing codes does not lock out the PCs already bonded.
    resumption: new PairingThrottle({ maxFailures: pairing.maxFailures, lockoutMs: pairing.lockoutMs }),
  };
  const pairingTimeoutMs = pairing.timeoutMs ?? 120_000;
  const resumeTimeoutMs = pairing.resumeTimeoutMs ?? 30_000;
  const bonds = pairing.bonds;
  /** Unknown bond ids already counted since the last successful resumption. */
  const countedUnknown = new Set<string>();
  const sockets = new Set<net.Socket>();
  let nextSession = 1;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const context: LinkContext = { session: nextSession++ };
    const id = context.session;
    const reader = new FrameReader();
    let chain: Promise<void> = Promise.resolve();
    let handshake: PhoneHandshake | PhoneResumeHandshake | undefined;
    let secure: SecureSession | undefined;
    let session: ReturnType<CardEndpoint["openSession"]> | undefined;
    let ended = false;
    /** The attempt under way: counted once if it fails. */
    let attempted: "pairing" | "resumption" | undefined;
    /** The bond id a RESUME names (hex). */
    let resumeBond: string | undefined;
    log?.info({ session: id }, "card link connection");

    const end = (alert?: Uint8Array) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (alert && !socket.destroyed && socket.writable) socket.end(encodeFrame(alert));
      else socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    /**
     * An attempt failed. `slow`: a timeout or a PC that left, which counts for a pairing (its
     * rounds reveal bits of the code) but not for a resumption (nothing to guess).
     */
    const pairingFailed = (reason: string, alert?: "refused" | "unbonded", slow = false) => {
      const what = attempted;
      if (what && !secure) {
        attempted = undefined;
        const throttle = throttles[what];
        let counts = !(what === "resumption" && slow);
        if (counts && alert === "unbonded" && resumeBond) {
          counts = !countedUnknown.has(resumeBond);
          if (countedUnknown.size >= 256) countedUnknown.clear();
          countedUnknown.add(resumeBond);
        }
        const locked = counts && throttle.failed();
        log?.warn(
          { session: id, reason, ...(counts ? {} : { counted: false }) },
          what === "pairing" ? "pairing failed" : "resumption failed",
        );
        if (locked)
          log?.warn(
            { session: id, lockoutMs: throttle.lockoutMs },
            what === "pairing"
              ? `${throttle.maxFailures} failed pairings in a row: new pairings refused for ${throttle.lockoutMs} ms`
              : `${throttle.maxFailures} failed resumptions in a row: resumptions refused for ${throttle.lockoutMs} ms`,
          );
      } else log?.warn({ session: id, reason }, "unpaired connection closed");
      end(alert ? alertFrame(alert) : undefined);
    };
    const notSecureWithin = (ms: number) => {
      const t = setTimeout(() => {
        if (!secure)
          pairingFailed(
            `not ${attempted === "resumption" ? "resumed" : "paired"} within ${ms} ms`,
            undefined,
            true,
          );
      }, ms);
      t.unref();
      return t;
    };
    let timer = notSecureWithin(pairingTimeoutMs);

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
            const runId = decodeCardData("SessionContext", opened.payload).runId;
            if (runId !== undefined && RUN_ID.test(runId)) context.runId = runId;
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
        const open = session!;
        const response = await linkContext.run(context, () => open.transmit(opened.payload));
        opened.payload.fill(0);
        const record = await secure.writer.seal(ContentType.CARD, response);
        if (!ended && !socket.destroyed && socket.writable) socket.write(encodeFrame(record));
        return;
      }
      if (!handshake) {
        // The first frame must be the PC's HELLO or RESUME: anything else (a card command) gets no answer.
        const opening = openingOf(frame);
        if (!opening) return pairingFailed("the first frame is not a HELLO or a RESUME");
        const lockedFor = throttles[opening].lockedFor();
        if (lockedFor > 0) {
          log?.warn(
            { session: id, lockedForMs: lockedFor },
            opening === "pairing"
              ? "pairing refused: too many failed pairings"
              : "resumption refused: too many failed resumptions",
          );
          return end(alertFrame("locked"));
        }
        attempted = opening;
        if (opening === "resumption") {
          const m = decodeHandshake(frame);
          resumeBond = m.type === "resume" ? bondIdHex(m.bondId) : undefined;
          handshake = new PhoneResumeHandshake(crypto, bonds?.lookup ?? noBonds);
          clearTimeout(timer);
          timer = notSecureWithin(resumeTimeoutMs);
        } else {
          const code = pairing.code ?? randomPairingCode(crypto);
          handshake = new PhoneHandshake(crypto, code, { bonding: bonds !== undefined });
          if (pairing.code === undefined) pairing.show?.(code);
        }
      }
      try {
        const step = await handshake.step(frame);
        const made = step.session?.linkKey;
        if (made && step.session?.bondId) {
          // Kept before the phone's FINISHED leaves: a PC that completes holds a bond the phone has.
          const bond = bondIdHex(step.session.bondId);
          try {
            await bonds!.add(step.session.bondId, made);
            log?.info({ session: id, bond }, "card link bonded");
          } catch (e) {
            log?.warn(
              { session: id, bond, err: (e as Error).message },
              "bond not kept: the PC will pair again",
            );
          } finally {
            made.fill(0);
          }
        }
        for (const out of step.send) if (!socket.destroyed && socket.writable) socket.write(encodeFrame(out));
        if (step.session) {
          secure = step.session;
          clearTimeout(timer);
          throttles[attempted ?? "pairing"].succeeded();
          if (attempted === "resumption") countedUnknown.clear();
          attempted = undefined;
          session = card.openSession();
          const resumed = step.session.mode === "resumed";
          log?.info(
            {
              session: id,
              link: toHex(step.session.sessionId).slice(0, 16),
              ...(resumed ? { bond: bondIdHex(step.session.bondId!) } : {}),
            },
            resumed ? "card link resumed" : "card link paired",
          );
        }
      } catch (e) {
        const unbonded = e instanceof SecureLinkError && e.kind === "unbonded";
        pairingFailed((e as Error).message, unbonded ? "unbonded" : "refused");
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
          } else pairingFailed("oversize frame");
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
        if (!secure && attempted) pairingFailed(`the PC left during the ${attempted}`, undefined, true);
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
        chain = chain.then(() => {
          if (!secure && attempted) pairingFailed(`the PC left during the ${attempted}`, undefined, true);
        });
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
