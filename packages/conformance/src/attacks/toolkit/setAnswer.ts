/**
 * What a SET endpoint answered, classified for an attack's verdict: an empty body, a SET Error
 * (its ErrorCode), another SET message (its type and header ids), or bytes that are no SET message.
 */
import { defaultProvider, readError, type schema, schema as setSchema, toHex } from "@setlab/protocol";

export type SetAnswer =
  | { readonly kind: "empty"; readonly status: number }
  | { readonly kind: "error"; readonly status: number; readonly code: string; readonly signed: boolean }
  | {
      readonly kind: "message";
      readonly status: number;
      readonly type: schema.MessageType;
      readonly xid?: string;
      readonly wrapper: schema.MessageWrapper;
    }
  | { readonly kind: "garbage"; readonly status: number; readonly length: number };

export async function readSetAnswer(answer: { status: number; bytes: Uint8Array }): Promise<SetAnswer> {
  const { status, bytes } = answer;
  if (bytes.length === 0) return { kind: "empty", status };
  let wrapper: schema.MessageWrapper;
  try {
    wrapper = setSchema.decodeMessage(bytes);
  } catch {
    return { kind: "garbage", status, length: bytes.length };
  }
  if (wrapper.message.type === "error") {
    try {
      const read = await readError(defaultProvider, wrapper.message.value);
      return { kind: "error", status, code: read.code, signed: read.signed };
    } catch {
      return { kind: "error", status, code: "unreadable", signed: false };
    }
  }
  const xid = wrapper.messageHeader.messageIDs?.xid;
  return { kind: "message", status, type: wrapper.message.type, xid: xid ? toHex(xid) : undefined, wrapper };
}

/** One line for a report: `Error unknownXID`, `purchaseResponse`, `empty body`, ... */
export function describeAnswer(a: SetAnswer): string {
  switch (a.kind) {
    case "empty":
      return `empty body (HTTP ${a.status})`;
    case "error":
      return `Error ${a.code}${a.signed ? " (signed)" : ""}`;
    case "message":
      return a.type;
    case "garbage":
      return `${a.length} bytes that are no SET message (HTTP ${a.status})`;
  }
}
