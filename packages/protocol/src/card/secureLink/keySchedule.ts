/**
 * Keys of the secure card link. ECDH P-256 with a fresh key pair per connection on both ends; the
 * session secrets come from HKDF-SHA-256.
 *
 * Pairing by code:
 *   IKM  = ECDH shared secret || "code:" || the 6 pairing digits
 *   salt = SHA-256 of the handshake transcript (both HELLOs, every COMMIT and REVEAL)
 *   info = "setlab card link v1 " || purpose
 * Purposes: an AES-256-GCM key and a 96-bit IV base per direction, an HMAC key per side for the
 * key confirmation (FINISHED), a 16-byte session id (not secret: it tells sessions apart), and,
 * when both ends bond, the long-term "link key" (32 bytes) and the "bond id" (16 bytes).
 *
 * Resumption with a bond (TLS 1.3 PSK-DHE style: the link key authenticates, ECDH gives forward
 * secrecy):
 *   R    = HKDF(link key, salt = transcript hash, info = "setlab card link v1 resumption secret")
 *   IKM  = ECDH shared secret || R
 *   salt = SHA-256 of the transcript (RESUME, the phone's HELLO)
 *   info = "setlab card link v1 resumed " || purpose   (the same purposes, no link key or bond id)
 */

import type { NewBond } from "./bond";
import { ascii, concat, owned } from "./bytes";
import { PUBLIC_KEY_LENGTH } from "./messages";
import { SecureLinkError } from "./secureLinkError";

const P256 = { name: "ECDH", namedCurve: "P-256" } as const;

export interface EphemeralKey {
  readonly privateKey: CryptoKey;
  /** Uncompressed point, 65 bytes. */
  readonly publicKey: Uint8Array;
}

export async function ephemeralKey(crypto: Crypto): Promise<EphemeralKey> {
  const pair = (await crypto.subtle.generateKey(P256, true, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

/** The peer's public key; anything that is not a point on P-256 is refused. */
export async function importPeerKey(crypto: Crypto, raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== PUBLIC_KEY_LENGTH || raw[0] !== 0x04)
    throw new SecureLinkError("handshake", "the peer's key is not an uncompressed P-256 point");
  try {
    return await crypto.subtle.importKey("raw", owned(raw), P256, false, []);
  } catch {
    throw new SecureLinkError("handshake", "the peer's key is not a point on P-256");
  }
}

export async function sharedSecret(crypto: Crypto, own: CryptoKey, peer: CryptoKey): Promise<Uint8Array> {
  try {
    return new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: peer }, own, 256));
  } catch {
    throw new SecureLinkError("handshake", "ECDH with the peer's key failed");
  }
}

export interface DirectionKeys {
  readonly key: CryptoKey;
  readonly iv: Uint8Array;
}

export interface SessionKeys {
  readonly pcToPhone: DirectionKeys;
  readonly phoneToPc: DirectionKeys;
  readonly pcFinished: CryptoKey;
  readonly phoneFinished: CryptoKey;
  readonly sessionId: Uint8Array;
}

export interface PairingKeys extends SessionKeys {
  /** Present when both ends agreed to bond. */
  readonly bond?: NewBond;
}

const LABEL = "setlab card link v1 ";

type Expand = (purpose: string, bits: number) => Promise<Uint8Array<ArrayBuffer>>;

/** HKDF-SHA-256 of `ikm` (wiped once imported) under `salt`, one output per purpose. */
async function expander(crypto: Crypto, ikm: Uint8Array<ArrayBuffer>, salt: Uint8Array, prefix: string) {
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  ikm.fill(0);
  const expand: Expand = async (purpose, bits) =>
    new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt: owned(salt), info: ascii(`${prefix}${purpose}`) },
        base,
        bits,
      ),
    );
  return expand;
}

async function sessionKeys(crypto: Crypto, expand: Expand): Promise<SessionKeys> {
  const aes = async (purpose: string) => {
    const raw = await expand(purpose, 256);
    const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    raw.fill(0);
    return key;
  };
  const hmac = async (purpose: string) => {
    const raw = await expand(purpose, 256);
    const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    raw.fill(0);
    return key;
  };
  return {
    pcToPhone: { key: await aes("pc to phone key"), iv: await expand("pc to phone iv", 96) },
    phoneToPc: { key: await aes("phone to pc key"), iv: await expand("phone to pc iv", 96) },
    pcFinished: await hmac("pc finished"),
    phoneFinished: await hmac("phone finished"),
    sessionId: await expand("session id", 128),
  };
}

/** The keys of a pairing by code, and the new bond's link key and id when `bond` is set. */
export async function deriveSessionKeys(
  crypto: Crypto,
  input: { shared: Uint8Array; code: string; transcriptHash: Uint8Array; bond?: boolean },
): Promise<PairingKeys> {
  const expand = await expander(
    crypto,
    concat(input.shared, ascii(`code:${input.code}`)),
    input.transcriptHash,
    LABEL,
  );
  const keys = await sessionKeys(crypto, expand);
  if (!input.bond) return keys;
  return { ...keys, bond: { linkKey: await expand("link key", 256), bondId: await expand("bond id", 128) } };
}

/** The keys of a resumption: the link key (an HKDF key) and a fresh ECDH secret, bound to the transcript. */
export async function deriveResumedKeys(
  crypto: Crypto,
  input: { shared: Uint8Array; linkKey: CryptoKey; transcriptHash: Uint8Array },
): Promise<SessionKeys> {
  let resumption: Uint8Array;
  try {
    resumption = new Uint8Array(
      await crypto.subtle.deriveBits(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: owned(input.transcriptHash),
          info: ascii(`${LABEL}resumption secret`),
        },
        input.linkKey,
        256,
      ),
    );
  } catch {
    throw new SecureLinkError("handshake", "the link key cannot be used (not an HKDF key of this crypto)");
  }
  const ikm = concat(input.shared, resumption);
  resumption.fill(0);
  return sessionKeys(crypto, await expander(crypto, ikm, input.transcriptHash, `${LABEL}resumed `));
}
