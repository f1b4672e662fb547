/**
 * What the merchant sent back, as far as a relay needs to know: the message type, the XID in the
 * wrapper's header, and for a SET Error its code. The mediator checks nothing cryptographic (the
 * card does that); it only refuses to relay bytes that are not a SET message of the expected type.
 */
import { defaultProvider, readError, SetError, schema, toHex } from "@setlab/protocol";
import { PurchaseStop } from "./cardAnswers";

export interface MerchantAnswer {
  readonly type: schema.MessageType;
  /** The header's XID, hex. */
  readonly xid?: string;
  /** For a SET Error: its ErrorCode, and "(signed)" when its signature verifies. */
  readonly error?: string;
}

/** Decode the merchant's answer to `sent`; a non-SET answer stops the purchase as failed. */
export async function readMerchantAnswer(bytes: Uint8Array, sent: string): Promise<MerchantAnswer> {
  let wrapper: schema.MessageWrapper;
  try {
    wrapper = schema.decodeMessage(bytes);
  } catch (e) {
    const code = e instanceof SetError ? e.code : "decodingFailure";
    throw new PurchaseStop(
      "failed",
      `the merchant answered ${sent} with something that is not a SET message (${code})`,
    );
  }
  const xid = wrapper.messageHeader.messageIDs?.xid;
  const message = wrapper.message;
  let error: string | undefined;
  if (message.type === "error") {
    try {
      const read = await readError(defaultProvider, message.value);
      error = `${read.code}${read.signed ? " (signed)" : ""}`;
    } catch {
      error = "an unreadable SET Error";
    }
  }
  return { type: message.type, xid: xid ? toHex(xid) : undefined, error };
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
