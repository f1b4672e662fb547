/**
 * A bond of the secure card link, as Bluetooth bonding keeps one: after a pairing by code both
 * ends hold a long-term link key (32 bytes) under a bond id (16 bytes, sent in clear when the PC
 * resumes). Later connections resume with a fresh ECDH exchange authenticated by the link key, and
 * no code is asked (resumption.ts). Both are HKDF outputs of the pairing's secrets with their own
 * labels (keySchedule.ts), so neither says anything about the pairing's session keys.
 */

import type { CryptoProvider } from "../../crypto/provider";
import { owned } from "./bytes";
import { BOND_ID_LENGTH } from "./messages";
import { SecureLinkError } from "./secureLinkError";

export const LINK_KEY_LENGTH = 32;

/** What a pairing that bonded hands out once: the caller keeps the key and then wipes these bytes. */
export interface NewBond {
  readonly bondId: Uint8Array;
  /** 32 raw bytes. */
  readonly linkKey: Uint8Array;
}

/** A bond ready to resume with: the link key as a non-extractable HKDF key of the link's crypto. */
export interface LinkBond {
  readonly bondId: Uint8Array;
  readonly linkKey: CryptoKey;
}

/** Import a link key for resumption and wipe the raw bytes (whatever happens). */
export async function importLinkKey(p: CryptoProvider, raw: Uint8Array): Promise<CryptoKey> {
  try {
    if (raw.length !== LINK_KEY_LENGTH)
      throw new SecureLinkError("handshake", `a link key is ${LINK_KEY_LENGTH} bytes, not ${raw.length}`);
    return await p.crypto.subtle.importKey("raw", owned(raw), "HKDF", false, ["deriveBits"]);
  } finally {
    raw.fill(0);
  }
}

export function isBondId(bytes: Uint8Array): boolean {
  return bytes.length === BOND_ID_LENGTH;
}

/** The bond id as the phone lists it and its files name it: 32 lower-case hex digits. */
export function bondIdHex(bondId: Uint8Array): string {
  return Buffer.from(bondId.buffer, bondId.byteOffset, bondId.byteLength).toString("hex");
}

export function bondIdFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new SecureLinkError("handshake", "a bond id is 32 hex digits");
  const out = new Uint8Array(BOND_ID_LENGTH);
  for (let i = 0; i < BOND_ID_LENGTH; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
