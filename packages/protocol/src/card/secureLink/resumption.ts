/**
 * Resuming a bonded card link (as Bluetooth LE reconnects a bonded device, or TLS 1.3 resumes with
 * a PSK and a fresh (EC)DHE): no code, a fresh ECDH exchange both ways, and each end proves it
 * holds the bond's link key with a MAC over the transcript.
 *
 *   PC (holds bond B = (id, link key))                  phone (holds its bonds)
 *   RESUME(v3, id, pkPC)            ─────────►          looks id up: none, revoked or expired ->
 *                                                       ALERT(unknown bond), close
 *   TH  = SHA-256(RESUME, HELLO)
 *   keys = HKDF(ECDH || HKDF(link key, TH, "resumption secret"), salt TH, "resumed ...")
 *                                   ◄─────────          HELLO(v3, flags 0, pkPhone),
 *                                                       FINISHED(HMAC(kPhone, TH)) in one write
 *   checks it; else the bond is stale
 *   FINISHED(HMAC(kPC, TH')), then records at once ───► checks it; else ALERT(refused), close;
 *                                                       records both ways
 *
 * One round trip before the PC's first command, as TLS 1.3's server speaks its Finished first:
 * the phone can confirm the keys as soon as it has answered, and the PC confirms them only after
 * it has checked the phone's proof, so the first record the phone reads still follows a checked
 * PC FINISHED. The phone's FINISHED is a MAC over a transcript that holds its fresh ECDH key, so it
 * tells someone who sent a RESUME nothing about the link key.
 *
 * Without the link key nobody can make either FINISHED; without the ECDH secret (fresh on both
 * sides every time) the link key alone opens no record, past or future: forward secrecy. A replayed
 * RESUME and FINISHED meet a fresh phone key and fail.
 */

import type { CryptoProvider } from "../../crypto/provider";
import type { LinkBond } from "./bond";
import { Handshake, type HandshakeStep, type SecureSession } from "./handshake";
import { deriveResumedKeys, type EphemeralKey, ephemeralKey, sharedSecret } from "./keySchedule";
import { BOND_ID_LENGTH, LINK_VERSION } from "./messages";
import type { RecordReader, RecordWriter } from "./recordLayer";
import { SecureLinkError } from "./secureLinkError";

/**
 * The phone's bonds as the resumption sees them: the link key of a live bond (an HKDF key of the
 * phone's link p), or undefined for an id that is unknown, revoked or expired.
 */
export type BondLookup = (bondId: Uint8Array) => Promise<CryptoKey | undefined>;

abstract class Resumption extends Handshake {
  protected bondId?: Uint8Array;
  protected override refusal =
    "the phone refused the resumption: the link keys differ, or someone in between";

  protected async deriveResumed(linkKey: CryptoKey): Promise<void> {
    this.keys = await deriveResumedKeys(this.p, {
      shared: this.shared!,
      linkKey,
      transcriptHash: await this.transcript.hash(this.p),
    });
    this.shared!.fill(0);
  }

  protected resumedSession(writer: RecordWriter, reader: RecordReader): SecureSession {
    return { writer, reader, sessionId: this.keys!.sessionId, mode: "resumed", bondId: this.bondId! };
  }
}

/** The PC's side: resume `bond` with the phone. */
export class PcResumeHandshake extends Resumption {
  private privateKey?: EphemeralKey["privateKey"];

  constructor(
    p: CryptoProvider,
    private readonly bond: LinkBond,
  ) {
    super(p);
    if (bond.bondId.length !== BOND_ID_LENGTH)
      throw new SecureLinkError("handshake", `a bond id is ${BOND_ID_LENGTH} bytes`);
    this.bondId = bond.bondId.slice();
  }

  /** The first frame: RESUME. */
  async start(): Promise<HandshakeStep> {
    if (this.state !== "start") throw new SecureLinkError("handshake", "the handshake was already started");
    const key = await ephemeralKey(this.p);
    this.privateKey = key.privateKey;
    this.pkPc = key.publicKey;
    this.state = "hello";
    return {
      send: [
        this.emit({ type: "resume", version: LINK_VERSION, bondId: this.bondId!, publicKey: key.publicKey }),
      ],
    };
  }

  async step(frame: Uint8Array): Promise<HandshakeStep> {
    switch (this.state) {
      case "hello": {
        const m = this.read(frame, "hello");
        // A resumption bonds nothing new: a flag here is not a phone that understood RESUME.
        if (m.flags !== 0) this.fail("handshake", "the phone's HELLO to a RESUME carries flags");
        const peer = await this.peerHello(m, this.pkPc!);
        this.pkPhone = m.publicKey;
        this.shared = await sharedSecret(this.p, this.privateKey!, peer);
        await this.deriveResumed(this.bond.linkKey);
        this.state = "finished";
        return { send: [] };
      }
      case "finished":
        return this.answerFinished(frame, "pc", (w, r) => this.resumedSession(w, r));
      default:
        return this.misplaced();
    }
  }
}

/** The phone's side: answers a RESUME for a bond `lookup` knows; an unknown bond is refused. */
export class PhoneResumeHandshake extends Resumption {
  constructor(
    p: CryptoProvider,
    private readonly lookup: BondLookup,
  ) {
    super(p);
    this.state = "hello";
  }

  async step(frame: Uint8Array): Promise<HandshakeStep> {
    switch (this.state) {
      case "hello": {
        const m = this.read(frame, "resume");
        this.bondId = m.bondId;
        // Version first, then the cheap bond look-up, and only then any elliptic-curve work.
        if (m.version !== LINK_VERSION)
          this.fail("handshake", `card link version ${m.version} is not ${LINK_VERSION}`);
        let linkKey: CryptoKey | undefined;
        try {
          linkKey = await this.lookup(m.bondId);
        } catch {
          linkKey = undefined;
        }
        if (!linkKey) this.fail("unbonded", "no such bond: revoked, expired or never made");
        const key = await ephemeralKey(this.p);
        const peer = await this.peerHello(m, key.publicKey);
        this.pkPc = m.publicKey;
        this.pkPhone = key.publicKey;
        this.shared = await sharedSecret(this.p, key.privateKey, peer);
        const hello = this.emit({ type: "hello", version: LINK_VERSION, flags: 0, publicKey: key.publicKey });
        await this.deriveResumed(linkKey);
        const mac = await this.finishedMac(this.keys!.phoneFinished, await this.transcript.hash(this.p));
        this.state = "finished";
        return { send: [hello, this.emit({ type: "finished", mac })] };
      }
      case "finished":
        return this.readLastFinished(frame, "phone", (w, r) => this.resumedSession(w, r));
      default:
        return this.misplaced();
    }
  }
}
