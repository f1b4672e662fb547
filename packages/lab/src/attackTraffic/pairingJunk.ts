/**
 * Pairing junk at the phone's card link, from a stranger without the code: a connection that sends
 * a HELLO and hangs up, and a whole pairing with a wrong code. Neither gets anywhere; the first must
 * not count towards the pairing lockout, the second does (docs/card-link.md, "Threat analysis").
 * Shared by the attack catalogue and the bench's attack load.
 */
import * as net from "node:net";
import { defaultProvider, encodeFrame, PcHandshake } from "@setlab/protocol";
import { CardTransportError, connectCardLink } from "@setlab/protocol/card-link";

export interface PhoneAddress {
  readonly host: string;
  readonly port: number;
}

/** A fresh, well-formed HELLO frame: any key will do, the sender never gets further. */
export async function helloFrame(): Promise<Uint8Array> {
  return encodeFrame((await new PcHandshake(defaultProvider, "000000").start()).send[0]);
}

/** Connect, send `hello` and half-close; resolves when the phone has closed the connection. */
export function helloAndHangUp(phone: PhoneAddress, hello: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.createConnection(phone, () => socket.end(hello));
    socket.resume();
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

/** A code of six digits that is not `code`. */
export const wrongCodeFor = (code: string): string => (code === "000000" ? "111111" : "000000");

/**
 * Pair with `wrongCode` to the end (the key confirmation fails at the phone). Resolves with how it
 * was refused (what the secure link said: "pairing", "locked", ...), or "paired" if the code was
 * not wrong after all.
 */
export async function pairWithWrongCode(phone: PhoneAddress, wrongCode: string): Promise<string> {
  try {
    const link = await connectCardLink({ ...phone, pairingCode: wrongCode, pairingTimeoutMs: 10_000 });
    await link.close();
    return "paired";
  } catch (e) {
    if (e instanceof CardTransportError) return e.link ?? e.kind;
    return (e as Error).name;
  }
}
