/**
 * Keys of the secure card link. ECDH P-256 with a fresh key pair per connection on both ends; the
 * session secrets come from HKDF-SHA-256 with
 *   IKM  = ECDH shared secret || "code:" || the 6 pairing digits
 *   salt = SHA-256 of the handshake transcript (both HELLOs, every COMMIT and REVEAL)
 *   info = "setlab card link v1 " || purpose
 * Purposes: an AES-256-GCM key and a 96-bit IV base per direction, an HMAC key per side for the
 * key confirmation (FINISHED), and a 16-byte session id (not secret: it tells sessions apart).
 */
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

export async function deriveSessionKeys(
  crypto: Crypto,
  input: { shared: Uint8Array; code: string; transcriptHash: Uint8Array },
): Promise<SessionKeys> {
  const ikm = concat(input.shared, ascii(`code:${input.code}`));
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  ikm.fill(0);
  const expand = async (purpose: string, bits: number) =>
    new Uint8Array(
      await crypto.subtle.deriveBits(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: owned(input.transcriptHash),
          info: ascii(`setlab card link v1 ${purpose}`),
        },
        base,
        bits,
      ),
    );
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
