/**
 * What the merchant sent back, as far as a relay needs to know: the message type, the XID in the
 * wrapper's header, and for a SET Error its code. The mediator checks nothing cryptographic (the
 * card does that); it only refuses to relay bytes that are not a SET message of the expected type.
 * The body is the card's to decode: the mediator reads the wrapper alone (a PInitRes body with its
 * certificates and CRLs was the largest DER decode of the PC's purchase), except for an Error.
 */
import { defaultProvider, readError, SetError, schema, toHex } from "@setlab/protocol/relay";
import { PurchaseStop } from "./cardAnswers";

export interface MerchantAnswer {
  readonly type: schema.MessageType;
  /** The header's XID, hex. */
  readonly xid?: string;
  /** For a SET Error: its ErrorCode, and "(signed)" when its signature verifies. */
  readonly error?: string;
}

/** Read the merchant's answer to `sent`; a non-SET answer stops the purchase as failed. */
export async function readMerchantAnswer(bytes: Uint8Array, sent: string): Promise<MerchantAnswer> {
  let shape: schema.MessageShape;
  try {
    shape = schema.decodeMessageShape(bytes);
  } catch (e) {
    throw notSet(sent, e);
  }
  const xid = shape.messageHeader.messageIDs?.xid;
  let error: string | undefined;
  if (shape.type === "error") {
    try {
      const message = schema.decodeMessage(bytes).message;
      if (message.type !== "error") throw new Error("not an Error");
      const read = await readError(defaultProvider, message.value);
      error = `${read.code}${read.signed ? " (signed)" : ""}`;
    } catch {
      error = "an unreadable SET Error";
    }
  }
  return { type: shape.type, xid: xid ? toHex(xid) : undefined, error };
}

function notSet(sent: string, e: unknown): PurchaseStop {
  const code = e instanceof SetError ? e.code : "decodingFailure";
  return new PurchaseStop(
    "failed",
    `the merchant answered ${sent} with something that is not a SET message (${code})`,
  );
}

/** Human names of the message types the mediator relays. */
export const messageNames: Partial<Record<schema.MessageType, string>> = {
  purchaseInitRequest: "PInitReq",
  purchaseInitResponse: "PInitRes",
  purchaseRequest: "PReq",
  purchaseResponse: "PRes",
  inquiryRequest: "InqReq",
  inquiryResponse: "InqRes",
  error: "Error",
};

export function messageName(type: schema.MessageType): string {
  return messageNames[type] ?? type;
}
