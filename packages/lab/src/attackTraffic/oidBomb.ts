/**
 * The amplification body of issue 12 item 8: a SEQUENCE holding one OBJECT IDENTIFIER of about
 * 260 000 one-byte arcs, just under a SET endpoint's 256 KiB body limit. A decoder that builds every
 * arc (or re-encodes to check DER) spends a second and hundreds of MB on each; a strict reader
 * refuses it on the length of the OID. Shared by the attack catalogue and the bench's attack load.
 */

/** DER length octets for `n`. */
function lengthOf(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** SEQUENCE { OBJECT IDENTIFIER 1.1.1.1... } of `total` bytes or slightly fewer. */
export function oidBomb(total = 256 * 1024 - 16): Uint8Array<ArrayBuffer> {
  const arcs = total - 12;
  const oid = [0x06, ...lengthOf(arcs), ...new Array<number>(arcs).fill(0x01)];
  return Uint8Array.from([0x30, ...lengthOf(oid.length), ...oid]);
}
