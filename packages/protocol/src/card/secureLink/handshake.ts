/**
 * The secure card link's handshake, as two state machines fed one frame at a time (pure: no
 * sockets, crypto through the injected WebCrypto). The PC opens:
 *
 *   PC                                              phone (shows the code)
 *   HELLO(v1, pkPC)                 ─────────►
 *                                   ◄─────────      HELLO(v1, pkPhone)
 *   for i in 0..19 (bit r_i of the code):
 *   COMMIT(Ca_i = HMAC(Na_i, "pc"‖i‖r_i‖pkPC‖pkPhone))     ─────────►
 *                                   ◄─────────      COMMIT(Cb_i = HMAC(Nb_i, "phone"‖i‖r_i‖pkPC‖pkPhone))
 *   REVEAL(Na_i)                    ─────────►      checks Ca_i with its own r_i
 *                                   ◄─────────      REVEAL(Nb_i)
 *   checks Cb_i with its own r_i
 *   keys = HKDF(ECDH ‖ code, salt = SHA-256(transcript))
 *   FINISHED(HMAC(kPC, TH))         ─────────►      checks it
 *                                   ◄─────────      FINISHED(HMAC(kPhone, TH'))
 *   records (recordLayer.ts) both ways
 *
 * Any mismatch throws SecureLinkError and the machine is dead; the phone never runs a card
 * command before its machine reports the session.
 */
import { owned } from "./bytes";
import {
  deriveSessionKeys,
  ephemeralKey,
  importPeerKey,
  type SessionKeys,
  sharedSecret,
} from "./keySchedule";
import {
  AlertReason,
  decodeHandshake,
  encodeHandshake,
  type HandshakeMessage,
  LINK_VERSION,
  NONCE_LENGTH,
} from "./messages";
import { CODE_BITS, codeBit, isPairingCode, openCommitment, pairingCommitment } from "./pairing";
import { RecordReader, RecordWriter } from "./recordLayer";
import { SecureLinkError } from "./secureLinkError";
import { Transcript } from "./transcript";

/** A paired link: records out with `writer`, records in with `reader`. */
export interface SecureSession {
  readonly writer: RecordWriter;
  readonly reader: RecordReader;
  /** 16 bytes, different for every connection; not secret. */
  readonly sessionId: Uint8Array;
}

export interface HandshakeStep {
  /** Frames to send now, in order. */
  readonly send: readonly Uint8Array[];
  /** Set once the handshake is complete: the session to use. */
  readonly session?: SecureSession;
}

type State = "start" | "hello" | "commit" | "reveal" | "finished" | "done" | "failed";

abstract class Handshake {
  protected state: State = "start";
  protected readonly transcript = new Transcript();
  protected pkPc?: Uint8Array;
  protected pkPhone?: Uint8Array;
  protected shared?: Uint8Array;
  protected code?: string;
  protected round = 0;
  protected keys?: SessionKeys;

  constructor(protected readonly crypto: Crypto) {}

  get complete(): boolean {
    return this.state === "done";
  }

  protected emit(m: HandshakeMessage): Uint8Array {
    const bytes = encodeHandshake(m);
    this.transcript.add(bytes);
    return bytes;
  }

  protected nonce(): Uint8Array {
    return this.crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
  }

  protected fail(kind: SecureLinkError["kind"], message: string): never {
    this.state = "failed";
    this.shared?.fill(0);
    throw new SecureLinkError(kind, message);
  }

  /** Decode a received frame for `expected`, adding it to the transcript. */
  protected read<T extends HandshakeMessage["type"]>(
    frame: Uint8Array,
    expected: T,
  ): Extract<HandshakeMessage, { type: T }> {
    if (this.state === "failed") throw new SecureLinkError("closed", "the handshake already failed");
    if (this.state === "done") throw new SecureLinkError("handshake", "the handshake is already complete");
    let m: HandshakeMessage;
    try {
      m = decodeHandshake(frame);
    } catch (e) {
      this.fail("handshake", (e as Error).message);
    }
    if (m.type === "alert")
      this.fail(
        m.reason === AlertReason.LOCKED ? "locked" : "pairing",
        m.reason === AlertReason.LOCKED
          ? "the phone refuses to pair for now: too many failed pairings"
          : "the phone refused the pairing: wrong code, or someone in between",
      );
    if (m.type !== expected)
      this.fail("handshake", `expected ${expected.toUpperCase()}, got ${m.type.toUpperCase()}`);
    this.transcript.add(frame);
    return m as Extract<HandshakeMessage, { type: T }>;
  }

  protected async peerHello(
    m: { version: number; publicKey: Uint8Array },
    own: Uint8Array,
  ): Promise<CryptoKey> {
    if (m.version !== LINK_VERSION)
      this.fail("handshake", `card link version ${m.version} is not ${LINK_VERSION}`);
    let equal = m.publicKey.length === own.length;
    for (let i = 0; equal && i < own.length; i++) equal = m.publicKey[i] === own[i];
    if (equal) this.fail("handshake", "the peer sent back our own public key");
    try {
      return await importPeerKey(this.crypto, m.publicKey);
    } catch (e) {
      this.fail("handshake", (e as Error).message);
    }
  }

  protected async deriveKeys(): Promise<SessionKeys> {
    const keys = await deriveSessionKeys(this.crypto, {
      shared: this.shared!,
      code: this.code!,
      transcriptHash: await this.transcript.hash(this.crypto),
    });
    this.shared!.fill(0);
    this.keys = keys;
    return keys;
  }

  /** FINISHED = HMAC(key, SHA-256 of the transcript before this FINISHED). */
  protected async finishedMac(key: CryptoKey, transcriptHash: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await this.crypto.subtle.sign("HMAC", key, owned(transcriptHash)));
  }

  protected async checkFinished(key: CryptoKey, mac: Uint8Array, transcriptHash: Uint8Array): Promise<void> {
    const ok = await this.crypto.subtle.verify("HMAC", key, owned(mac), owned(transcriptHash));
    if (!ok) this.fail("pairing", "key confirmation failed: the two ends do not hold the same keys");
  }

  protected misplaced(): never {
    if (this.state === "failed") throw new SecureLinkError("closed", "the handshake already failed");
    if (this.state === "done") throw new SecureLinkError("handshake", "the handshake is already complete");
    throw new SecureLinkError("handshake", "the handshake has not started");
  }
}

/** The PC's side (the mediator). `code` may be asked for once the phone has answered HELLO. */
export class PcHandshake extends Handshake {
  private ownNonce?: Uint8Array;
  private peerCommit?: Uint8Array;
  private privateKey?: CryptoKey;

  constructor(
    crypto: Crypto,
    private readonly codeSource: string | (() => Promise<string>),
  ) {
    super(crypto);
  }

  /** The first frame: the PC's HELLO. */
  async start(): Promise<HandshakeStep> {
    if (this.state !== "start") throw new SecureLinkError("handshake", "the handshake was already started");
    const key = await ephemeralKey(this.crypto);
    this.privateKey = key.privateKey;
    this.pkPc = key.publicKey;
    this.state = "hello";
    return { send: [this.emit({ type: "hello", version: LINK_VERSION, publicKey: key.publicKey })] };
  }

  async step(frame: Uint8Array): Promise<HandshakeStep> {
    switch (this.state) {
      case "hello": {
        const m = this.read(frame, "hello");
        const peer = await this.peerHello(m, this.pkPc!);
        this.pkPhone = m.publicKey;
        this.shared = await sharedSecret(this.crypto, this.privateKey!, peer);
        const code = typeof this.codeSource === "string" ? this.codeSource : await this.codeSource();
        if (!isPairingCode(code)) this.fail("pairing", "the pairing code must be 6 digits");
        this.code = code;
        return { send: [await this.commit()] };
      }
      case "commit": {
        this.peerCommit = this.read(frame, "commit").commitment;
        this.state = "reveal";
        return { send: [this.emit({ type: "reveal", nonce: this.ownNonce! })] };
      }
      case "reveal": {
        const { nonce } = this.read(frame, "reveal");
        const bit = codeBit(this.code!, this.round);
        const ok = await openCommitment(
          this.crypto,
          "phone",
          this.round,
          nonce,
          this.peerCommit!,
          this.pkPc!,
          this.pkPhone!,
          bit,
        );
        if (!ok) this.fail("pairing", "pairing refused: wrong code, or someone in between");
        this.round++;
        if (this.round < CODE_BITS) return { send: [await this.commit()] };
        const keys = await this.deriveKeys();
        const mac = await this.finishedMac(keys.pcFinished, await this.transcript.hash(this.crypto));
        this.state = "finished";
        return { send: [this.emit({ type: "finished", mac })] };
      }
      case "finished": {
        const before = await this.transcript.hash(this.crypto);
        const { mac } = this.read(frame, "finished");
        await this.checkFinished(this.keys!.phoneFinished, mac, before);
        this.state = "done";
        const k = this.keys!;
        return {
          send: [],
          session: {
            writer: new RecordWriter(this.crypto, k.pcToPhone),
            reader: new RecordReader(this.crypto, k.phoneToPc),
            sessionId: k.sessionId,
          },
        };
      }
      default:
        return this.misplaced();
    }
  }

  private async commit(): Promise<Uint8Array> {
    this.ownNonce = this.nonce();
    const commitment = await pairingCommitment(
      this.crypto,
      "pc",
      this.round,
      this.ownNonce,
      this.pkPc!,
      this.pkPhone!,
      codeBit(this.code!, this.round),
    );
    this.state = "commit";
    return this.emit({ type: "commit", commitment });
  }
}

/** The phone's side: `code` is the one it shows on its screen for this connection. */
export class PhoneHandshake extends Handshake {
  private ownNonce?: Uint8Array;
  private peerCommit?: Uint8Array;

  constructor(crypto: Crypto, code: string) {
    super(crypto);
    if (!isPairingCode(code)) throw new SecureLinkError("pairing", "the pairing code must be 6 digits");
    this.code = code;
    this.state = "hello";
  }

  async step(frame: Uint8Array): Promise<HandshakeStep> {
    switch (this.state) {
      case "hello": {
        const m = this.read(frame, "hello");
        const key = await ephemeralKey(this.crypto);
        const peer = await this.peerHello(m, key.publicKey);
        this.pkPc = m.publicKey;
        this.pkPhone = key.publicKey;
        this.shared = await sharedSecret(this.crypto, key.privateKey, peer);
        this.state = "commit";
        return { send: [this.emit({ type: "hello", version: LINK_VERSION, publicKey: key.publicKey })] };
      }
      case "commit": {
        this.peerCommit = this.read(frame, "commit").commitment;
        this.ownNonce = this.nonce();
        const commitment = await pairingCommitment(
          this.crypto,
          "phone",
          this.round,
          this.ownNonce,
          this.pkPc!,
          this.pkPhone!,
          codeBit(this.code!, this.round),
        );
        this.state = "reveal";
        return { send: [this.emit({ type: "commit", commitment })] };
      }
      case "reveal": {
        const { nonce } = this.read(frame, "reveal");
        const ok = await openCommitment(
          this.crypto,
          "pc",
          this.round,
          nonce,
          this.peerCommit!,
          this.pkPc!,
          this.pkPhone!,
          codeBit(this.code!, this.round),
        );
        if (!ok) this.fail("pairing", "pairing refused: wrong code, or someone in between");
        const reveal = this.emit({ type: "reveal", nonce: this.ownNonce! });
        this.round++;
        if (this.round < CODE_BITS) {
          this.state = "commit";
          return { send: [reveal] };
        }
        await this.deriveKeys();
        this.state = "finished";
        return { send: [reveal] };
      }
      case "finished": {
        const before = await this.transcript.hash(this.crypto);
        const { mac } = this.read(frame, "finished");
        const k = this.keys!;
        await this.checkFinished(k.pcFinished, mac, before);
        const mine = await this.finishedMac(k.phoneFinished, await this.transcript.hash(this.crypto));
        const own = this.emit({ type: "finished", mac: mine });
        this.state = "done";
        return {
          send: [own],
          session: {
            writer: new RecordWriter(this.crypto, k.phoneToPc),
            reader: new RecordReader(this.crypto, k.pcToPhone),
            sessionId: k.sessionId,
          },
        };
      }
      default:
        return this.misplaced();
    }
  }
}

/** The ALERT the phone sends before closing a refused pairing (unauthenticated: a hint for the user). */
export function alertFrame(reason: "pairing" | "locked"): Uint8Array {
  return encodeHandshake({
    type: "alert",
    reason: reason === "locked" ? AlertReason.LOCKED : AlertReason.PAIRING_REFUSED,
  });
}
