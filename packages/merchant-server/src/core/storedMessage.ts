/**
 * One of an order's stored SET messages, found by the RRPID its wrapper's header names: the
 * request sent for a given AuthRRPID, CapRRPID or CapRevOrCredRRPID (and the gateway's answer,
 * which echoes it). An order keeps many messages of one type (a purchase paid again, the later
 * authorizations of a split shipment, their captures and credits), so the last of a type is not
 * necessarily the one wanted.
 */
import { schema, toHex } from "@setlab/protocol";

export function storedMessageOf(
  messages: readonly { readonly type: string; readonly der: Uint8Array }[],
  type: string,
  /** Hex. */
  rrpid: string,
): Uint8Array | undefined {
  const wanted = rrpid.toLowerCase();
  return messages.find((m) => {
    if (m.type !== type) return false;
    const header = schema.decodeMessage(m.der).messageHeader;
    return header.rrpid !== undefined && toHex(header.rrpid) === wanted;
  })?.der;
}
