/**
 * The secure card link's handshake, as two state machines fed one frame at a time (pure: no
 * sockets, crypto through the injected WebCrypto). The PC opens:
 *
 *   PC                                              phone (shows the code)
 *   HELLO(v3, flags, pkPC)          ─────────►
 *                                   ◄─────────      HELLO(v3, flags, pkPhone)
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
 * The PC sends its COMMIT for round i+1 with its REVEAL for round i, and the phone answers both
 * together, so a round costs one round trip; both transcripts still list every round's messages in
 * the order above (the PC adds its early COMMIT once the phone's REVEAL for round i checked out).
 *
 * With the BOND flag in both HELLOs the pairing also yields a bond (bond.ts): a link key and a
 * bond id, from the same HKDF secret under their own labels; later connections resume with it
 * (resumption.ts) and no code. Any mismatch throws SecureLinkError and the machine is dead; the
 * phone never runs a card command before its machine reports the session.
 */
import { KeyObject } from "node:crypto";
import type { CryptoProvider } from "../../crypto/provider";
import { owned } from "./bytes";
import {
  deriveSessionKeys,
  type EphemeralKey,
  ephemeralKey,
  importPeerKey,
  type LinkSecretKey,
  type PairingKeys,
  type PeerKey,
  type SessionKeys,
  sharedSecret,
} from "./keySchedule";
import {
  AlertReason,
  decodeHandshake,
  encodeHandshake,
  type HandshakeMessage,
  HelloFlags,
  LINK_VERSION,
  NONCE_LENGTH,
} from "./messages";
import { nodeHmac, nodeHmacVerify } from "./nodeLink";
import { CODE_BITS, codeBit, isPairingCode, openCommitment, pairingCommitment } from "./pairing";
import { RecordReader, RecordWriter } from "./recordLayer";
import { SecureLinkError } from "./secureLinkError";
import { Transcript } from "./transcript";

/** A paired or resumed link: records out with `writer`, records in with `reader`. */
export interface SecureSession {
  readonly writer: RecordWriter;
  readonly reader: RecordReader;
  /** 16 bytes, different for every connection; not secret. */
  readonly sessionId: Uint8Array;
  /** "paired" by the code, or "resumed" with a bond. */
  readonly mode: "paired" | "resumed";
  /** The bond this pairing made (both ends asked to bond), or the bond this resumption used. */
  readonly bondId?: Uint8Array;
  /**
   * After a pairing that bonded: the new link key, 32 raw bytes. The caller keeps it (the phone
   * encrypted at rest, the PC in memory with `importLinkKey`) and wipes these bytes.
   */
  readonly linkKey?: Uint8Array;
}

export interface HandshakeStep {
  /** Frames to send now, in order. */
  readonly send: readonly Uint8Array[];
  /** Set once the handshake is complete: the session to use. */
  readonly session?: SecureSession;
}

type State = "start" | "hello" | "commit" | "reveal" | "finished" | "done" | "failed";

/** What pairing and resumption machines share: transcript, HELLO checks, ALERTs, key confirmation. */
export abstract class Handshake {
  protected state: State = "start";
  protected readonly transcript = new Transcript();
  protected pkPc?: Uint8Array;
  protected pkPhone?: Uint8Array;
  protected shared?: Uint8Array;
  protected code?: string;
  protected round = 0;
  protected keys?: SessionKeys;
  /** A new bond's raw link key while the handshake runs: wiped if it fails. */
  protected pendingLinkKey?: Uint8Array;
  /** What an ALERT(refused) from the phone means to this machine. */
  protected refusal = "the phone refused the pairing: wrong code, or someone in between";

  /**
   * The peer's proof was checked and refused: a commitment that did not open with our bit of the
   * code, or a key confirmation that failed. Only this is a wrong guess; a malformed message, an
   * ALERT or a stall proves nothing (pairingThrottle.ts).
   */
  private proofRefused = false;

  constructor(protected readonly p: CryptoProvider) {}

  get refusedProof(): boolean {
    return this.proofRefused;
  }

  /** The peer's proof did not check out. */
  protected wrongProof(message: string): never {
    this.proofRefused = true;
    this.fail("pairing", message);
  }

  get complete(): boolean {
    return this.state === "done";
  }

  protected emit(m: HandshakeMessage): Uint8Array {
    const bytes = encodeHandshake(m);
    this.transcript.add(bytes);
    return bytes;
  }

  protected nonce(): Uint8Array {
    return this.p.crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
  }

  protected fail(kind: SecureLinkError["kind"], message: string): never {
    this.state = "failed";
    this.shared?.fill(0);
    this.pendingLinkKey?.fill(0);
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
    if (m.type === "alert") {
      if (m.reason === AlertReason.LOCKED)
        this.fail("locked", "the phone refuses to pair or resume for now: too many failures in a row");
      if (m.reason === AlertReason.UNKNOWN_BOND)
        this.fail("unbonded", "the phone holds no such bond (revoked, expired or never made)");
      if (m.reason === AlertReason.BUSY)
        this.fail("busy", "the phone is answering too many pairings begun at once: try again shortly");
      this.fail("pairing", this.refusal);
    }
    if (m.type !== expected)
      this.fail("handshake", `expected ${expected.toUpperCase()}, got ${m.type.toUpperCase()}`);
    this.transcript.add(frame);
    return m as Extract<HandshakeMessage, { type: T }>;
  }

  /** The peer's HELLO or RESUME: our version, not our own key reflected, a point on P-256. */
  protected async peerHello(
    m: { version: number; publicKey: Uint8Array },
    own: Uint8Array,
  ): Promise<PeerKey> {
    if (m.version !== LINK_VERSION)
      this.fail("handshake", `card link version ${m.version} is not ${LINK_VERSION}`);
    let equal = m.publicKey.length === own.length;
    for (let i = 0; equal && i < own.length; i++) equal = m.publicKey[i] === own[i];
    if (equal) this.fail("handshake", "the peer sent back our own public key");
    try {
      return await importPeerKey(this.p, m.publicKey);
    } catch (e) {
      this.fail("handshake", (e as Error).message);
    }
  }

  protected async deriveKeys(bond: boolean): Promise<PairingKeys> {
    const keys = await deriveSessionKeys(this.p, {
      shared: this.shared!,
      code: this.code!,
      transcriptHash: await this.transcript.hash(this.p),
      bond,
    });
    this.shared!.fill(0);
    this.keys = keys;
    this.pendingLinkKey = keys.bond?.linkKey;
    return keys;
  }

  /** The session of a completed pairing, handing the new bond (if any) to the caller. */
  protected pairedSession(writer: RecordWriter, reader: RecordReader): SecureSession {
    const k = this.keys as PairingKeys;
    this.pendingLinkKey = undefined;
    return {
      writer,
      reader,
      sessionId: k.sessionId,
      mode: "paired",
      ...(k.bond ? { bondId: k.bond.bondId, linkKey: k.bond.linkKey } : {}),
    };
  }

  /** FINISHED = HMAC(key, SHA-256 of the transcript before this FINISHED). */
  protected async finishedMac(key: LinkSecretKey, transcriptHash: Uint8Array): Promise<Uint8Array> {
    if (key instanceof KeyObject) return nodeHmac(key, transcriptHash);
    return new Uint8Array(await this.p.crypto.subtle.sign("HMAC", key, owned(transcriptHash)));
  }

  protected async checkFinished(
    key: LinkSecretKey,
    mac: Uint8Array,
    transcriptHash: Uint8Array,
  ): Promise<void> {
    const ok =
      key instanceof KeyObject
        ? nodeHmacVerify(key, mac, transcriptHash)
        : await this.p.crypto.subtle.verify("HMAC", key, owned(mac), owned(transcriptHash));
    if (!ok) this.wrongProof("key confirmation failed: the two ends do not hold the same keys");
  }

  /** The keys of `side`'s end: its FINISHED and the peer's, its records out and in. */
  private endKeys(side: "pc" | "phone") {
    const k = this.keys!;
    return side === "pc"
      ? { own: k.pcFinished, peer: k.phoneFinished, out: k.pcToPhone, in: k.phoneToPc }
      : { own: k.phoneFinished, peer: k.pcFinished, out: k.phoneToPc, in: k.pcToPhone };
  }

  /**
   * `side`'s last step when the peer's FINISHED comes second (the PC after a pairing, the phone
   * after a resumption): check it over the transcript before it, then open the records.
   */
  protected async readLastFinished(
    frame: Uint8Array,
    side: "pc" | "phone",
    session: (writer: RecordWriter, reader: RecordReader) => SecureSession,
  ): Promise<HandshakeStep> {
    const before = await this.transcript.hash(this.p);
    const { mac } = this.read(frame, "finished");
    const k = this.endKeys(side);
    await this.checkFinished(k.peer, mac, before);
    this.state = "done";
    return { send: [], session: session(new RecordWriter(this.p, k.out), new RecordReader(this.p, k.in)) };
  }

  /**
   * `side`'s last step when the peer's FINISHED comes first (the phone after a pairing, the PC
   * after a resumption): check it, answer with its own over the transcript that now includes the
   * peer's, then open the records.
   */
  protected async answerFinished(
    frame: Uint8Array,
    side: "pc" | "phone",
    session: (writer: RecordWriter, reader: RecordReader) => SecureSession,
  ): Promise<HandshakeStep> {
    const before = await this.transcript.hash(this.p);
    const { mac } = this.read(frame, "finished");
    const k = this.endKeys(side);
    await this.checkFinished(k.peer, mac, before);
    const mine = await this.finishedMac(k.own, await this.transcript.hash(this.p));
    const own = this.emit({ type: "finished", mac: mine });
    this.state = "done";
    return {
      send: [own],
      session: session(new RecordWriter(this.p, k.out), new RecordReader(this.p, k.in)),
    };
  }

  protected misplaced(): never {
    if (this.state === "failed") throw new SecureLinkError("closed", "the handshake already failed");
    if (this.state === "done") throw new SecureLinkError("handshake", "the handshake is already complete");
    throw new SecureLinkError("handshake", "the handshake has not started");
  }
}

export interface PcPairingOptions {
  /** Ask the phone to bond: the PC will keep the link key (in memory) and resume with it later. */
  readonly bond?: boolean;
}

/** The PC's side (the mediator). `code` may be asked for once the phone has answered HELLO. */
export class PcHandshake extends Handshake {
  private ownNonce?: Uint8Array;
  private peerCommit?: Uint8Array;
  /** The next round's COMMIT, sent with this round's REVEAL, in the transcript after the phone's REVEAL. */
  private early?: { nonce: Uint8Array; frame: Uint8Array };
  private privateKey?: EphemeralKey["privateKey"];
  private readonly askBond: boolean;
  private bonding = false;

  constructor(
    p: CryptoProvider,
    private readonly codeSource: string | (() => Promise<string>),
    options: PcPairingOptions = {},
  ) {
    super(p);
    this.askBond = options.bond === true;
  }

  /** The first frame: the PC's HELLO. */
  async start(): Promise<HandshakeStep> {
    if (this.state !== "start") throw new SecureLinkError("handshake", "the handshake was already started");
    const key = await ephemeralKey(this.p);
    this.privateKey = key.privateKey;
    this.pkPc = key.publicKey;
    this.state = "hello";
    const flags = this.askBond ? HelloFlags.BOND : 0;
    return { send: [this.emit({ type: "hello", version: LINK_VERSION, flags, publicKey: key.publicKey })] };
  }

  async step(frame: Uint8Array): Promise<HandshakeStep> {
    switch (this.state) {
      case "hello": {
        const m = this.read(frame, "hello");
        const peer = await this.peerHello(m, this.pkPc!);
        if ((m.flags & HelloFlags.BOND) !== 0 && !this.askBond)
          this.fail("handshake", "the phone offers a bond the PC did not ask for");
        this.bonding = (m.flags & HelloFlags.BOND) !== 0;
        this.pkPhone = m.publicKey;
        this.shared = await sharedSecret(this.p, this.privateKey!, peer);
        const code = typeof this.codeSource === "string" ? this.codeSource : await this.codeSource();
        if (!isPairingCode(code)) this.fail("pairing", "the pairing code must be 6 digits");
        this.code = code;
        return { send: [await this.commit()] };
      }
      case "commit": {
        this.peerCommit = this.read(frame, "commit").commitment;
        this.state = "reveal";
        const reveal = this.emit({ type: "reveal", nonce: this.ownNonce! });
        if (this.round + 1 >= CODE_BITS) return { send: [reveal] };
        // Committing to the next bit before the phone's reveal of this one tells nothing: the
        // nonce that opens it goes out only after that reveal checked out and the phone committed.
        this.early = await this.commitment(this.round + 1);
        return { send: [reveal, this.early.frame] };
      }
      case "reveal": {
        const { nonce } = this.read(frame, "reveal");
        const bit = codeBit(this.code!, this.round);
        const ok = await openCommitment(
          this.p,
          "phone",
          this.round,
          nonce,
          this.peerCommit!,
          this.pkPc!,
          this.pkPhone!,
          bit,
        );
        if (!ok) this.wrongProof("pairing refused: wrong code, or someone in between");
        this.round++;
        if (this.round < CODE_BITS) {
          const early = this.early!;
          this.early = undefined;
          this.ownNonce = early.nonce;
          this.transcript.add(early.frame);
          this.state = "commit";
          return { send: [] };
        }
        const keys = await this.deriveKeys(this.bonding);
        const mac = await this.finishedMac(keys.pcFinished, await this.transcript.hash(this.p));
        this.state = "finished";
        return { send: [this.emit({ type: "finished", mac })] };
      }
      case "finished":
        return this.readLastFinished(frame, "pc", (w, r) => this.pairedSession(w, r));
      default:
        return this.misplaced();
    }
  }

  /** Round 0's COMMIT, in the transcript at once. */
  private async commit(): Promise<Uint8Array> {
    const { nonce, frame } = await this.commitment(this.round);
    this.ownNonce = nonce;
    this.transcript.add(frame);
    this.state = "commit";
    return frame;
  }

  /** The PC's COMMIT for `round` and the nonce that opens it; not yet in the transcript. */
  private async commitment(round: number): Promise<{ nonce: Uint8Array; frame: Uint8Array }> {
    const nonce = this.nonce();
    const commitment = await pairingCommitment(
      this.p,
      "pc",
      round,
      nonce,
      this.pkPc!,
      this.pkPhone!,
      codeBit(this.code!, round),
    );
    return { nonce, frame: encodeHandshake({ type: "commit", commitment }) };
  }
}

export interface PhonePairingOptions {
  /** Bond when the PC asks (the phone has somewhere to keep bonds). */
  readonly bonding?: boolean;
}

/** The phone's side: `code` is the one it shows on its screen for this connection. */
export class PhoneHandshake extends Handshake {
  private ownNonce?: Uint8Array;
  private peerCommit?: Uint8Array;
  private readonly mayBond: boolean;
  private bonding = false;

  constructor(p: CryptoProvider, code: string, options: PhonePairingOptions = {}) {
    super(p);
    if (!isPairingCode(code)) throw new SecureLinkError("pairing", "the pairing code must be 6 digits");
    this.code = code;
    this.mayBond = options.bonding === true;
    this.state = "hello";
  }

  async step(frame: Uint8Array): Promise<HandshakeStep> {
    switch (this.state) {
      case "hello": {
        const m = this.read(frame, "hello");
        const key = await ephemeralKey(this.p);
        const peer = await this.peerHello(m, key.publicKey);
        this.bonding = this.mayBond && (m.flags & HelloFlags.BOND) !== 0;
        this.pkPc = m.publicKey;
        this.pkPhone = key.publicKey;
        this.shared = await sharedSecret(this.p, key.privateKey, peer);
        this.state = "commit";
        const flags = this.bonding ? HelloFlags.BOND : 0;
        return {
          send: [this.emit({ type: "hello", version: LINK_VERSION, flags, publicKey: key.publicKey })],
        };
      }
      case "commit": {
        this.peerCommit = this.read(frame, "commit").commitment;
        this.ownNonce = this.nonce();
        const commitment = await pairingCommitment(
          this.p,
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
          this.p,
          "pc",
          this.round,
          nonce,
          this.peerCommit!,
          this.pkPc!,
          this.pkPhone!,
          codeBit(this.code!, this.round),
        );
        if (!ok) this.wrongProof("pairing refused: wrong code, or someone in between");
        const reveal = this.emit({ type: "reveal", nonce: this.ownNonce! });
        this.round++;
        if (this.round < CODE_BITS) {
          this.state = "commit";
          return { send: [reveal] };
        }
        await this.deriveKeys(this.bonding);
        this.state = "finished";
        return { send: [reveal] };
      }
      case "finished":
        return this.answerFinished(frame, "phone", (w, r) => this.pairedSession(w, r));
      default:
        return this.misplaced();
    }
  }
}

/**
 * The ALERT the phone sends before closing a refused pairing or resumption (unauthenticated: a
 * hint for the user, or for the PC to fall back from a bond it no longer has to the code).
 */
export function alertFrame(reason: "refused" | "locked" | "unbonded" | "busy"): Uint8Array {
  const code =
    reason === "locked"
      ? AlertReason.LOCKED
      : reason === "unbonded"
        ? AlertReason.UNKNOWN_BOND
        : reason === "busy"
          ? AlertReason.BUSY
          : AlertReason.REFUSED;
  return encodeHandshake({ type: "alert", reason: code });
}
