/** Byte helpers at the WebCrypto boundary. */

/**
 * An own-realm copy backed by a plain ArrayBuffer: WebCrypto's types demand one, and jest's realms
 * make foreign Uint8Arrays fail `instanceof` checks inside some implementations.
 */
export const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

export { equalConstantTime } from "../bytes";
