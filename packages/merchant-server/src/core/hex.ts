/** Identifiers (XID, RRPID, challenges) are stored and logged as lower-case hex. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, "hex"));
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
