/**
 * Keys of the secure card link. ECDH P-256 with a fresh key pair per connection on both ends; the
 * session secrets come from HKDF-SHA-256, one expansion per purpose, split in order (as TLS 1.2's
 * key block: node's WebCrypto pays about 0.3 ms per HKDF call, whatever its length).
 *
 * Pairing by code:
 *   IKM  = ECDH shared secret || "code:" || the 6 pairing digits
 *   salt = SHA-256 of the handshake transcript (both HELLOs, every COMMIT and REVEAL)
 *   "setlab card link v2 session keys" -> 168 bytes: the PC-to-phone AES-256-GCM key (32) and IV
 *       base (12), the phone-to-PC key (32) and IV base (12), the PC's and the phone's FINISHED
 *       HMAC keys (32 + 32), the session id (16: not secret, it tells sessions apart)
 *   "setlab card link v2 bond" -> 48 bytes, only when both ends bond: the long-term link key (32)
 *       and the bond id (16)
 *
 * Resumption with a bond (TLS 1.3 PSK-DHE style: the link key authenticates, ECDH gives forward
 * secrecy):
 *   R    = HKDF(link key, salt = transcript hash, info = "setlab card link v2 resumption secret")
 *   IKM  = ECDH shared secret || R
 *   salt = SHA-256 of the transcript (RESUME, the phone's HELLO)
 *   "setlab card link v2 resumed session keys" -> 168 bytes, the same layout as above
 */

import type { ECDH, KeyObject } from "node:crypto";
import { isNodeProvider } from "../../crypto/native";
import type { CryptoProvider } from "../../crypto/provider";
import type { NewBond } from "./bond";
import { ascii, concat, owned } from "./bytes";
import { PUBLIC_KEY_LENGTH } from "./messages";
import { isP256Point, keyObjectOf, nodeAgree, nodeEphemeral, nodeHkdf, secretKey } from "./nodeLink";
import { SecureLinkError } from "./secureLinkError";

const P256 = { name: "ECDH", namedCurve: "P-256" } as const;

/**
 * A symmetric key of the link: a CryptoKey of the injected WebCrypto, or on Node's own WebCrypto a
 * KeyObject used synchronously through node:crypto (nodeLink.ts).
 */
export type LinkSecretKey = CryptoKey | KeyObject;

export interface EphemeralKey {
  /** A CryptoKey of the injected WebCrypto, or node's ECDH object on Node's WebCrypto. */
  readonly privateKey: CryptoKey | ECDH;
  /** Uncompressed point, 65 bytes. */
  readonly publicKey: Uint8Array;
}

/** The peer's public key: a CryptoKey, or on Node's WebCrypto the checked point's bytes. */
export type PeerKey = CryptoKey | Uint8Array;

export async function ephemeralKey(p: CryptoProvider): Promise<EphemeralKey> {
  if (isNodeProvider(p)) return nodeEphemeral();
  const pair = (await p.crypto.subtle.generateKey(P256, true, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await p.crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

/** The peer's public key; anything that is not a point on P-256 is refused. */
export async function importPeerKey(p: CryptoProvider, raw: Uint8Array): Promise<PeerKey> {
  if (raw.length !== PUBLIC_KEY_LENGTH || raw[0] !== 0x04)
    throw new SecureLinkError("handshake", "the peer's key is not an uncompressed P-256 point");
  if (isNodeProvider(p)) {
    if (!isP256Point(raw)) throw new SecureLinkError("handshake", "the peer's key is not a point on P-256");
    return raw.slice();
  }
  try {
    return await p.crypto.subtle.importKey("raw", owned(raw), P256, false, []);
  } catch {
    throw new SecureLinkError("handshake", "the peer's key is not a point on P-256");
  }
}

export async function sharedSecret(
  p: CryptoProvider,
  own: CryptoKey | ECDH,
  peer: PeerKey,
): Promise<Uint8Array> {
  try {
    if (isNodeProvider(p) && peer instanceof Uint8Array && !isCryptoKey(own)) return nodeAgree(own, peer);
    if (peer instanceof Uint8Array || !isCryptoKey(own)) throw new TypeError("keys of another crypto");
    return new Uint8Array(await p.crypto.subtle.deriveBits({ name: "ECDH", public: peer }, own, 256));
  } catch {
    throw new SecureLinkError("handshake", "ECDH with the peer's key failed");
  }
}

/** Any provider's CryptoKey, as opposed to node's own key objects (ECDH, KeyObject). */
function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof key === "object" && key !== null && "algorithm" in key && "usages" in key;
}

export interface DirectionKeys {
  readonly key: LinkSecretKey;
  readonly iv: Uint8Array;
}

export interface SessionKeys {
  readonly pcToPhone: DirectionKeys;
  readonly phoneToPc: DirectionKeys;
  readonly pcFinished: LinkSecretKey;
  readonly phoneFinished: LinkSecretKey;
  readonly sessionId: Uint8Array;
}

export interface PairingKeys extends SessionKeys {
  /** Present when both ends agreed to bond. */
  readonly bond?: NewBond;
}

const LABEL = "setlab card link v2 ";
/** 2 x (key 32 + IV 12) + 2 x FINISHED key 32 + session id 16. */
const SESSION_BYTES = 168;
const BOND_BYTES = 48;

type Expand = (purpose: string, bytes: number) => Promise<Uint8Array<ArrayBuffer>>;

/** HKDF-SHA-256 of `ikm` (wiped once imported) under `salt`, one output per purpose. */
async function expander(p: CryptoProvider, ikm: Uint8Array<ArrayBuffer>, salt: Uint8Array, prefix: string) {
  if (isNodeProvider(p)) {
    const base = secretKey(ikm);
    ikm.fill(0);
    const expandNode: Expand = async (purpose, bytes) =>
      nodeHkdf(base, salt, ascii(`${prefix}${purpose}`), bytes);
    return expandNode;
  }
  const base = await p.crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  ikm.fill(0);
  const expand: Expand = async (purpose, bytes) =>
    new Uint8Array(
      await p.crypto.subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt: owned(salt), info: ascii(`${prefix}${purpose}`) },
        base,
        bytes * 8,
      ),
    );
  return expand;
}

/** The session's keys from its 168-byte block (wiped once imported). */
async function sessionKeys(p: CryptoProvider, block: Uint8Array<ArrayBuffer>): Promise<SessionKeys> {
  let at = 0;
  const take = (n: number) => {
    at += n;
    return block.slice(at - n, at);
  };
  const pcKey = take(32);
  const pcIv = take(12);
  const phoneKey = take(32);
  const phoneIv = take(12);
  const pcFin = take(32);
  const phoneFin = take(32);
  const sessionId = take(16);
  block.fill(0);
  if (isNodeProvider(p)) {
    const [pcToPhone, phoneToPc, pcFinished, phoneFinished] = [pcKey, phoneKey, pcFin, phoneFin].map(
      (raw) => {
        const key = secretKey(raw);
        raw.fill(0);
        return key;
      },
    );
    return {
      pcToPhone: { key: pcToPhone, iv: pcIv },
      phoneToPc: { key: phoneToPc, iv: phoneIv },
      pcFinished,
      phoneFinished,
      sessionId,
    };
  }
  const aes = (raw: Uint8Array<ArrayBuffer>) =>
    p.crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  const hmac = (raw: Uint8Array<ArrayBuffer>) =>
    p.crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  try {
    const [pcToPhone, phoneToPc, pcFinished, phoneFinished] = await Promise.all([
      aes(pcKey),
      aes(phoneKey),
      hmac(pcFin),
      hmac(phoneFin),
    ]);
    return {
      pcToPhone: { key: pcToPhone, iv: pcIv },
      phoneToPc: { key: phoneToPc, iv: phoneIv },
      pcFinished,
      phoneFinished,
      sessionId,
    };
  } finally {
    for (const raw of [pcKey, phoneKey, pcFin, phoneFin]) raw.fill(0);
  }
}

/** The keys of a pairing by code, and the new bond's link key and id when `bond` is set. */
export async function deriveSessionKeys(
  p: CryptoProvider,
  input: { shared: Uint8Array; code: string; transcriptHash: Uint8Array; bond?: boolean },
): Promise<PairingKeys> {
  const expand = await expander(
    p,
    concat(input.shared, ascii(`code:${input.code}`)),
    input.transcriptHash,
    LABEL,
  );
  const [keys, bond] = await Promise.all([
    expand("session keys", SESSION_BYTES).then((block) => sessionKeys(p, block)),
    input.bond ? expand("bond", BOND_BYTES) : undefined,
  ]);
  if (!bond) return keys;
  const out = { ...keys, bond: { linkKey: bond.slice(0, 32), bondId: bond.slice(32) } };
  bond.fill(0);
  return out;
}

/** The node key of a link key; as WebCrypto would, refuses anything but an HKDF key for deriveBits. */
function hkdfKeyObject(key: CryptoKey): KeyObject {
  if (key.algorithm?.name !== "HKDF" || !key.usages.includes("deriveBits"))
    throw new TypeError("not an HKDF key");
  return keyObjectOf(key);
}

/** The keys of a resumption: the link key (an HKDF key) and a fresh ECDH secret, bound to the transcript. */
export async function deriveResumedKeys(
  p: CryptoProvider,
  input: { shared: Uint8Array; linkKey: CryptoKey; transcriptHash: Uint8Array },
): Promise<SessionKeys> {
  let resumption: Uint8Array;
  try {
    const info = ascii(`${LABEL}resumption secret`);
    resumption = isNodeProvider(p)
      ? nodeHkdf(hkdfKeyObject(input.linkKey), input.transcriptHash, info, 32)
      : new Uint8Array(
          await p.crypto.subtle.deriveBits(
            {
              name: "HKDF",
              hash: "SHA-256",
              salt: owned(input.transcriptHash),
              info,
            },
            input.linkKey,
            256,
          ),
        );
  } catch {
    throw new SecureLinkError("handshake", "the link key cannot be used (not an HKDF key of this p)");
  }
  const ikm = concat(input.shared, resumption);
  resumption.fill(0);
  const expand = await expander(p, ikm, input.transcriptHash, LABEL);
  return sessionKeys(p, await expand("resumed session keys", SESSION_BYTES));
}
