/**
 * `--capture DIR`: every SET message of a purchase, in order, as DER files named
 * `NN-from-to-Type.der`, each with a readable dump beside it (`.txt`). The messages come from the
 * merchant's inspection route on its admin listener (with the lab's admin token), which records all six messages of its order (it is the one party
 * on both hops). No PAN can appear: the PAN only exists inside the gateway's RSA-OAEP block.
 */
import * as path from "node:path";
import { schema, toHex } from "@setlab/protocol";
import {
  type AdminAccess,
  adminHeaders,
  ensureOwnerOnlyDir,
  writeOwnerOnlyFile,
} from "@setlab/runtime/client";
import { httpJson } from "./httpJson";

export interface CapturedMessage {
  readonly seq: number;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly der: Uint8Array;
}

export async function fetchMessages(merchantAdmin: AdminAccess, orderId: string): Promise<CapturedMessage[]> {
  const raw = await httpJson<{ seq: number; from: string; to: string; type: string; der: string }[]>(
    `${merchantAdmin.url.replace(/\/$/, "")}/orders/${orderId}/messages`,
    { headers: adminHeaders(merchantAdmin.token) },
  );
  return raw
    .map((m) => ({ ...m, type: setName(m.type), der: new Uint8Array(Buffer.from(m.der, "base64")) }))
    .sort((a, b) => a.seq - b.seq);
}

/** SET's short names for the Message CHOICE alternatives an order's messages use. */
const setNames: Record<string, string> = {
  purchaseInitRequest: "PInitReq",
  purchaseInitResponse: "PInitRes",
  purchaseRequest: "PReq",
  purchaseResponse: "PRes",
  inquiryRequest: "InqReq",
  inquiryResponse: "InqRes",
  authorizationRequest: "AuthReq",
  authorizationResponse: "AuthRes",
  authReversalRequest: "AuthRevReq",
  authReversalResponse: "AuthRevRes",
  captureRequest: "CapReq",
  captureResponse: "CapRes",
  captureReversalRequest: "CapRevReq",
  captureReversalResponse: "CapRevRes",
  creditRequest: "CredReq",
  creditResponse: "CredRes",
  creditReversalRequest: "CredRevReq",
  creditReversalResponse: "CredRevRes",
  error: "Error",
};

/** `purchaseInitRequest` -> `PInitReq`; names already short stay as they are. */
export const setName = (type: string) => setNames[type] ?? type;

export const captureName = (m: CapturedMessage) =>
  `${String(m.seq).padStart(2, "0")}-${m.from}-${m.to}-${setName(m.type)}`.replace(/[^A-Za-z0-9._-]/g, "_");

/** Write each message's DER and readable dump into `dir`: owner-only, as the stores they come from. */
export function writeCapture(dir: string, messages: readonly CapturedMessage[]): string[] {
  ensureOwnerOnlyDir(dir);
  const written: string[] = [];
  for (const m of messages) {
    const base = path.join(dir, captureName(m));
    writeOwnerOnlyFile(`${base}.der`, m.der);
    writeOwnerOnlyFile(`${base}.txt`, dumpMessage(m));
    written.push(`${base}.der`);
  }
  return written;
}

/** A readable dump of a captured message: header, then the decoded body with byte fields in hex. */
export function dumpMessage(m: CapturedMessage): string {
  const head = `${m.type}  ${m.from} -> ${m.to}  (${m.der.length} bytes DER)\n`;
  try {
    const wrapper = schema.decodeMessage(m.der);
    return `${head}${JSON.stringify(readable(wrapper), null, 2)}\n`;
  } catch (e) {
    return `${head}does not decode: ${(e as Error).message}\n`;
  }
}

function readable(v: unknown): unknown {
  if (v instanceof Uint8Array) {
    const hex = toHex(v.subarray(0, 48));
    return v.length > 48 ? `${v.length} bytes: ${hex}…` : `hex:${hex}`;
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(readable);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, readable(x)]));
  return v;
}
