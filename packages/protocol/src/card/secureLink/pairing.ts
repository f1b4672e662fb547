/**
 * Pairing by a short numeric code, passkey-entry style (as Bluetooth LE Secure Connections): the
 * phone shows a 6-digit code, the user types it on the PC. The code's 20 bits are proven one per
 * round: each side commits to the bit with a fresh nonce, bound to both ECDH public keys, its role
 * and the round; the PC reveals its nonce first, the phone checks it and reveals its own. A man in
 * the middle who swapped the public keys must commit to each bit before either side reveals it, so
 * it passes a round with probability 1/2 and the whole pairing with probability 10^-6 (one code
 * value): it cannot try codes offline, since every guess costs a live, detected pairing attempt.
 * See docs/card-link.md.
 */
import { isNodeProvider } from "../../crypto/native";
import type { CryptoProvider } from "../../crypto/provider";
import { ascii, concat, owned } from "./bytes";
import { nodeHmac, nodeHmacVerify } from "./nodeLink";
import { SecureLinkError } from "./secureLinkError";

export const CODE_DIGITS = 6;
/** 10^6 codes fit in 20 bits. */
export const CODE_BITS = 20;

export type Role = "pc" | "phone";
const roleByte: Record<Role, number> = { pc: 0x01, phone: 0x02 };
const commitLabel = ascii("setlab card link v2 commit");

export function isPairingCode(text: string): boolean {
  return /^[0-9]{6}$/.test(text);
}

/** A fresh code, uniform over 000000..999999 (rejection sampling, no modulo bias). */
export function randomPairingCode(p: CryptoProvider): string {
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000;
  const word = new Uint32Array(1);
  for (;;) {
    p.crypto.getRandomValues(word);
    if (word[0] < limit) return String(word[0] % 1_000_000).padStart(CODE_DIGITS, "0");
  }
}

/** Bit `round` (0 = most significant) of the code's 20-bit value. */
export function codeBit(code: string, round: number): number {
  if (!isPairingCode(code)) throw new SecureLinkError("pairing", "the pairing code must be 6 digits");
  if (!Number.isInteger(round) || round < 0 || round >= CODE_BITS)
    throw new SecureLinkError("pairing", `no pairing round ${round}`);
  return (Number(code) >> (CODE_BITS - 1 - round)) & 1;
}

function commitInput(role: Role, round: number, pkPc: Uint8Array, pkPhone: Uint8Array, bit: number) {
  return concat(commitLabel, Uint8Array.of(roleByte[role], round, bit & 1), pkPc, pkPhone);
}

async function nonceKey(p: CryptoProvider, nonce: Uint8Array, usage: "sign" | "verify"): Promise<CryptoKey> {
  return p.crypto.subtle.importKey("raw", owned(nonce), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** C = HMAC-SHA-256(nonce, label || role || round || bit || pkPc || pkPhone). */
export async function pairingCommitment(
  p: CryptoProvider,
  role: Role,
  round: number,
  nonce: Uint8Array,
  pkPc: Uint8Array,
  pkPhone: Uint8Array,
  bit: number,
): Promise<Uint8Array> {
  const input = commitInput(role, round, pkPc, pkPhone, bit);
  if (isNodeProvider(p)) return nodeHmac(nonce, input);
  const key = await nonceKey(p, nonce, "sign");
  return new Uint8Array(await p.crypto.subtle.sign("HMAC", key, input));
}

/** Does the revealed nonce open the commitment to `bit`, the verifier's own bit of the code? */
export async function openCommitment(
  p: CryptoProvider,
  role: Role,
  round: number,
  nonce: Uint8Array,
  commitment: Uint8Array,
  pkPc: Uint8Array,
  pkPhone: Uint8Array,
  bit: number,
): Promise<boolean> {
  const input = commitInput(role, round, pkPc, pkPhone, bit);
  if (isNodeProvider(p)) return nodeHmacVerify(nonce, commitment, input);
  const key = await nonceKey(p, nonce, "verify");
  return p.crypto.subtle.verify("HMAC", key, owned(commitment), input);
}
