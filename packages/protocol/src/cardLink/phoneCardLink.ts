/**
 * The phone's end of the card link: a TCP server, one card session per connection, behind the
 * secure link (docs/card-link.md). The card behind it is anything that opens sessions that answer
 * command bytes with response bytes (the wallet's CardApplet; a test double). Each connection
 * first pairs or resumes. Pairing: the PC's HELLO, 20 passkey rounds over the code the phone
 * shows, key confirmation; when the PC asks and the phone has a bond store, the pairing leaves a
 * bond, kept before the phone's FINISHED leaves. Resumption: the PC's RESUME names a bond, fresh
 * ECDH, both ends prove the link key; no code. Only then does the phone open a card session, and
 * from then on every frame must be the next AES-256-GCM record. Before that no card command is
 * run: a frame that is not the expected handshake message closes the connection without an
 * answer.
 *
 * A stranger on the same machine can reach the port, so nothing it can do without the code may
 * shut the owner out or pin the phone's memory (docs/card-link.md, "Threat analysis"):
 * - only a refused code proof counts towards the pairing lockout (pairingThrottle.ts), and once
 *   locked the phone checks no further proof, not even of attempts begun before, so parallel
 *   attempts do not multiply the guesses; a resumption is never locked out (there is no short
 *   secret to guess);
 * - the lockout is no switch against the owner: the owner ends it from the phone (`reopened`, a
 *   command only the phone's user can run), and a fixed code kept where the owner reads it (a
 *   `PairingCodeSource`) is spent by every wrong proof, so what a stranger learned of it is worth
 *   nothing and no two wrong proofs test the same code;
 * - a HELLO costs the phone a key pair, so HELLOs draw from a budget (keyPairBudget.ts) checked
 *   before any elliptic-curve work; a RESUME's bond is looked up first and draws nothing;
 * - at most `maxHandshakes` connections may be unauthenticated at once; one more displaces the
 *   one that has gone longest without a complete frame, so stalled handshakes cannot hold the
 *   door shut, and at most `maxConnections` are open in all;
 * - before the keys are confirmed a frame may not be longer than the longest handshake message,
 *   after that not longer than the largest record (linkLimits.ts), checked on the length prefix;
 *   a frame must be complete `frameTimeoutMs` after it began, the opening frame must arrive
 *   within `openingTimeoutMs`, a pairing or resumption must finish in its time, and an open link
 *   with no command for `idleTimeoutMs` is closed;
 * - the socket is not read while a frame is being handled, so a peer cannot queue more than the
 *   chunk being read.
 * Nothing a peer sends ends the process.
 */
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
  KeyPairBudget,
  MAX_FRAME,
  MAX_HANDSHAKE_FRAME,
  MessageType,
  PairingThrottle,
  PhoneHandshake,
  PhoneResumeHandshake,
  randomPairingCode,
  SecureLinkError,
  type SecureSession,
} from "../card";
import { type CryptoProvider, defaultProvider } from "../crypto/provider";

/**
 * The card the phone hosts: a session per connection, one command in, one response out. `link` is
 * the connection the session serves, for the card's log lines (its `runId` arrives later).
 */
export interface CardEndpoint {
  openSession(link?: Readonly<LinkContext>): {
    transmit(command: Uint8Array): Promise<Uint8Array>;
    /** Told once, when the connection the session served has closed. */
    end?(): void;
  };
}

/** Where the phone's end logs (a pino logger fits): objects with a message, never a secret. */
export interface LinkLogger {
  /** Lines a busy phone does without (the run id as it arrives): optional. */
  debug?(fields: object, message: string): void;
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

/**
 * A fixed code kept where the owner reads it (the lab's 0600 code file): read at each HELLO, and
 * spent by a refused proof, after which new pairings use the next code it draws.
 */
export interface PairingCodeSource {
  current(): string;
  /** A proof against the current code was refused: draw the next one and keep it for the owner. */
  spend(): void;
}

export interface PairingOptions {
  /**
   * Test policy: a fixed code for every connection, as given (a string) or kept by a
   * `PairingCodeSource`. Default: a fresh random code per connection.
   */
  readonly code?: string | PairingCodeSource;
  /**
   * The owner asked to reopen pairing on the phone (asked at each HELLO; true once per request):
   * the lockout ends. Only the phone's user can ask.
   */
  readonly reopened?: () => boolean;
  /** Shows a fresh code on the phone's screen (called once per pairing attempt, random codes only). */
  readonly show?: (code: string) => void;
  /** Refused code proofs in a row before a lockout (default 3). */
  readonly maxFailures?: number;
  /** The first lockout, in milliseconds (default 30 000); each lockout in a row doubles it. */
  readonly lockoutMs?: number;
  /** The longest lockout, in milliseconds (default 16 x lockoutMs). */
  readonly maxLockoutMs?: number;
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

/** What one connection, and all of them together, may hold of the phone (docs/card-link.md). */
export interface LinkLimits {
  /** Connections open at once, paired or not (default 256, as the HTTP listeners); one more is refused. */
  readonly maxConnections?: number;
  /**
   * Connections at once that have not yet paired or resumed (default 64); one more displaces the
   * one that has gone longest without a complete frame.
   */
  readonly maxHandshakes?: number;
  /**
   * The first frame (HELLO or RESUME) must arrive within this, in milliseconds (default 30 000: a
   * busy phone is slow, and stalled connections are displaced anyway).
   */
  readonly openingTimeoutMs?: number;
  /** A frame must be complete this long after its first byte, in milliseconds (default 30 000). */
  readonly frameTimeoutMs?: number;
  /**
   * An open link that sends no command for this long is closed, in milliseconds (default 120 000:
   * longer than the mediator waits for the merchant between two commands).
   */
  readonly idleTimeoutMs?: number;
  /**
   * Key pairs the phone makes for HELLOs per second, after a burst of `pairingBurst` (defaults
   * 100 and 128); a HELLO beyond them gets ALERT(busy), uncounted, before any key pair is made.
   */
  readonly pairingsPerSecond?: number;
  readonly pairingBurst?: number;
}

export const defaultLinkLimits = {
  maxConnections: 256,
  maxHandshakes: 64,
  openingTimeoutMs: 30_000,
  frameTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  pairingsPerSecond: 100,
  pairingBurst: 128,
} as const satisfies Required<LinkLimits>;

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
  /** The crypto provider the link runs on (default node's). */
  readonly provider?: CryptoProvider;
  readonly pairing?: PairingOptions;
  readonly limits?: LinkLimits;
}

/**
 * The connection a card command runs for, for the phone's log lines (`runId` once the PC sent it).
 * Handed to the card session when it opens rather than carried by an AsyncLocalStorage: that
 * would install promise hooks, a cost on every promise the phone makes (docs/performance.md).
 */
export interface LinkContext {
  readonly session: number;
  runId?: string;
}

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

/** A REVEAL or a FINISHED: the frames whose check can refuse a code. */
const isProof = (frame: Uint8Array) => frame[0] === MessageType.REVEAL || frame[0] === MessageType.FINISHED;

const noBonds: BondLookup = async () => undefined;

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One connection as the limits see it. */
interface Connection {
  /** Paired or resumed: no longer counted among the handshakes, never displaced. */
  secure: boolean;
  /** When its last complete frame arrived (its start, before one did). */
  lastFrameAt: number;
  /** Close it now, for the reason given (logged). */
  drop(reason: string): void;
}

export function startPhoneCardLink(
  card: CardEndpoint,
  options: PhoneCardLinkOptions = {},
): Promise<PhoneCardLink> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger;
  const provider = options.provider ?? defaultProvider;
  const pairing = options.pairing ?? {};
  const limits = { ...defaultLinkLimits, ...definedOnly(options.limits ?? {}) };
  if (!(limits.maxConnections >= 1 && limits.maxHandshakes >= 1))
    throw new RangeError("maxConnections and maxHandshakes must be at least 1");
  const throttle = new PairingThrottle({
    maxFailures: pairing.maxFailures,
    lockoutMs: pairing.lockoutMs,
    maxLockoutMs: pairing.maxLockoutMs,
  });
  const keyPairs = new KeyPairBudget({ perSecond: limits.pairingsPerSecond, burst: limits.pairingBurst });
  const source = typeof pairing.code === "object" ? pairing.code : undefined;
  const givenCode = typeof pairing.code === "string" ? pairing.code : undefined;
  /** How many times the source's code was spent: an attempt on an older code checks no more proofs. */
  let spent = 0;
  const spendCode = (why: string) => {
    if (!source) return;
    try {
      source.spend();
      spent++;
      log?.warn({ reason: why }, "pairing code spent: new pairings use the next one");
    } catch (e) {
      log?.error({ err: (e as Error).message }, "pairing code not renewed: it stays in force");
    }
  };
  const pairingTimeoutMs = pairing.timeoutMs ?? 120_000;
  const resumeTimeoutMs = pairing.resumeTimeoutMs ?? 30_000;
  const bonds = pairing.bonds;
  const connections = new Set<Connection>();
  const sockets = new Set<net.Socket>();
  let nextSession = 1;

  /** Room for one more connection: displace the stalest handshake, or refuse (false). */
  const admit = (): boolean => {
    let handshakes = 0;
    let stalest: Connection | undefined;
    for (const c of connections)
      if (!c.secure) {
        handshakes++;
        if (!stalest || c.lastFrameAt < stalest.lastFrameAt) stalest = c;
      }
    if (handshakes < limits.maxHandshakes && connections.size < limits.maxConnections) return true;
    if (!stalest) return false;
    stalest.drop(`displaced: ${handshakes} connections not yet paired or resumed`);
    return connections.size < limits.maxConnections;
  };

  const server = net.createServer((socket) => {
    // Each answer leaves at once: with Nagle's algorithm the second answer of a flight would wait
    // for the PC's ACK of the first, which the PC delays (it has nothing to send meanwhile).
    socket.setNoDelay(true);
    if (!admit()) {
      log?.warn({ connections: connections.size }, "card link connection refused: too many open links");
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const context: LinkContext = { session: nextSession++ };
    const id = context.session;
    const reader = new FrameReader(MAX_HANDSHAKE_FRAME);
    let chain: Promise<void> = Promise.resolve();
    let handshake: PhoneHandshake | PhoneResumeHandshake | undefined;
    let secure: SecureSession | undefined;
    let session: ReturnType<CardEndpoint["openSession"]> | undefined;
    let ended = false;
    /** The attempt under way. */
    let attempted: "pairing" | "resumption" | undefined;
    /** For a pairing on the source's code: how many times it had been spent when this one began. */
    let codeSpentAt: number | undefined;
    let frameTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    const connection: Connection = {
      secure: false,
      lastFrameAt: Date.now(),
      drop: (reason) => {
        if (ended) return;
        if (!secure && attempted) failed(reason);
        else {
          log?.warn(
            { ...context, reason },
            secure ? "card link closed by the phone" : "unpaired connection closed",
          );
          end();
        }
        socket.destroy();
      },
    };
    connections.add(connection);
    log?.info({ session: id }, "card link connection");

    const end = (alert?: Uint8Array) => {
      if (ended) return;
      ended = true;
      connections.delete(connection);
      clearTimeout(timer);
      clearTimeout(frameTimer);
      clearTimeout(idleTimer);
      if (alert && !socket.destroyed && socket.writable) socket.end(encodeFrame(alert));
      else socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    /**
     * An attempt failed. Only a refused code proof in a pairing counts towards the lockout;
     * everything else (a stall, a malformed message, a PC that left, any failed resumption) is
     * logged as not counted.
     */
    const failed = (reason: string, alert?: "refused" | "unbonded", proof = false) => {
      const what = attempted;
      if (what && !secure) {
        attempted = undefined;
        const counts = what === "pairing" && proof;
        const lockout = counts ? throttle.failed() : 0;
        // A wrong proof spends the code it tested (if nothing spent it since the attempt began).
        if (counts && codeSpentAt === spent) spendCode("a wrong code");
        log?.warn(
          { session: id, reason, ...(counts ? {} : { counted: false }) },
          what === "pairing" ? "pairing failed" : "resumption failed",
        );
        if (lockout > 0)
          log?.warn(
            { session: id, lockoutMs: lockout },
            `${throttle.maxFailures} wrong pairing codes in a row: new pairings refused for ${lockout} ms`,
          );
      } else log?.warn({ session: id, reason }, "unpaired connection closed");
      end(alert ? alertFrame(alert) : undefined);
    };
    const notSecureWithin = (ms: number, what: string) => {
      const t = setTimeout(() => {
        if (!secure) connection.drop(`not ${what} within ${ms} ms`);
      }, ms);
      t.unref();
      return t;
    };
    let timer = notSecureWithin(limits.openingTimeoutMs, "opened");
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => connection.drop(`no command for ${limits.idleTimeoutMs} ms`),
        limits.idleTimeoutMs,
      );
      idleTimer.unref();
    };

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
          log?.debug?.({ ...context }, "card link context");
          return;
        }
        if (opened.contentType !== ContentType.CARD) {
          log?.warn({ ...context, contentType: opened.contentType }, "unknown record type: link closed");
          return end();
        }
        const open = session!;
        clearTimeout(idleTimer);
        const response = await open.transmit(opened.payload);
        opened.payload.fill(0);
        const record = await secure.writer.seal(ContentType.CARD, response);
        if (!ended && !socket.destroyed && socket.writable) socket.write(encodeFrame(record));
        return;
      }
      if (!handshake) {
        // The first frame must be the PC's HELLO or RESUME: anything else (a card command) gets no answer.
        const opening = openingOf(frame);
        if (!opening) return failed("the first frame is not a HELLO or a RESUME");
        if (opening === "pairing" && pairing.reopened?.()) {
          // No new code needed: every wrong proof already spent the one it tested.
          throttle.reopen();
          log?.warn({ session: id }, "pairing reopened by the owner: lockout ended");
        }
        const lockedFor = opening === "pairing" ? throttle.lockedFor() : 0;
        if (lockedFor > 0) {
          log?.warn({ session: id, lockedForMs: lockedFor }, "pairing refused: too many wrong codes");
          return end(alertFrame("locked"));
        }
        if (opening === "pairing" && !keyPairs.take()) {
          log?.warn({ session: id }, "pairing refused: too many HELLOs at once");
          return end(alertFrame("busy"));
        }
        attempted = opening;
        clearTimeout(timer);
        if (opening === "resumption") {
          handshake = new PhoneResumeHandshake(provider, bonds?.lookup ?? noBonds);
          timer = notSecureWithin(resumeTimeoutMs, "resumed");
        } else {
          const fixed = source ? source.current() : givenCode;
          if (source) codeSpentAt = spent;
          const code = fixed ?? randomPairingCode(provider);
          handshake = new PhoneHandshake(provider, code, { bonding: bonds !== undefined });
          if (fixed === undefined) pairing.show?.(code);
          timer = notSecureWithin(pairingTimeoutMs, "paired");
        }
      }
      if (attempted === "pairing" && isProof(frame)) {
        const lockedFor = throttle.lockedFor();
        if (lockedFor > 0) {
          // An attempt begun before the lockout checks no proof during it (not counted either).
          attempted = undefined;
          log?.warn({ session: id, lockedForMs: lockedFor }, "pairing refused: too many wrong codes");
          return end(alertFrame("locked"));
        }
        if (codeSpentAt !== undefined && codeSpentAt !== spent) {
          // Its code was spent meanwhile: a sibling attempt on the same code cannot go on learning it.
          attempted = undefined;
          log?.warn({ session: id, counted: false }, "pairing refused: its code was spent meanwhile");
          return end(alertFrame("refused"));
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
        if (ended) return;
        for (const out of step.send) if (!socket.destroyed && socket.writable) socket.write(encodeFrame(out));
        if (step.session) {
          secure = step.session;
          connection.secure = true;
          clearTimeout(timer);
          reader.limit(MAX_FRAME);
          if (attempted === "pairing") throttle.succeeded();
          attempted = undefined;
          session = card.openSession(context);
          armIdle();
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
        failed((e as Error).message, unbonded ? "unbonded" : "refused", handshake.refusedProof);
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
          } else failed("oversize frame");
          socket.destroy();
        });
        return;
      }
      if (frames.length > 0) connection.lastFrameAt = Date.now();
      // A frame must be complete in its time from its first byte; a new frame starts a new clock.
      if (reader.pending === 0) {
        clearTimeout(frameTimer);
        frameTimer = undefined;
      } else if (frames.length > 0 || frameTimer === undefined) {
        clearTimeout(frameTimer);
        frameTimer = setTimeout(
          () => connection.drop(`a frame not complete within ${limits.frameTimeoutMs} ms`),
          limits.frameTimeoutMs,
        );
        frameTimer.unref();
      }
      if (frames.length === 0) return;
      // Read no more until these are handled: a peer cannot queue more than the chunk just read.
      socket.pause();
      // A handshake's answers to one chunk leave in one write: a pairing round's REVEAL and the next
      // COMMIT, which the PC sends together. A card answer leaves as soon as the card has it, also
      // inside a flight of commands: the next command may wait for the buyer (docs/card-link.md).
      const corked = !secure && frames.length > 1;
      if (corked) socket.cork();
      for (const frame of frames)
        chain = chain
          .then(() => handle(frame))
          .catch((e) => {
            log?.error({ ...context, err: (e as Error).message }, "card link fault: link closed");
            end();
          });
      chain = chain.then(() => {
        if (corked) socket.uncork();
        if (ended) return;
        if (secure) armIdle();
        socket.resume();
      });
    });
    socket.on("end", () => {
      chain = chain.then(() => {
        if (!secure && attempted) failed(`the PC left during the ${attempted}`);
        end();
      });
    });
    socket.on("error", (e) =>
      log?.warn({ session: id, err: (e as NodeJS.ErrnoException).code }, "socket error"),
    );
    socket.on("close", () => {
      clearTimeout(timer);
      clearTimeout(frameTimer);
      clearTimeout(idleTimer);
      sockets.delete(socket);
      connections.delete(connection);
      if (!secure && attempted) {
        chain = chain.then(() => {
          if (!secure && attempted) failed(`the PC left during the ${attempted}`);
        });
      }
      try {
        session?.end?.();
      } catch {
        // the card's own summary failing never changes how the link ends
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
