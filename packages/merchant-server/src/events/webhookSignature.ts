/**
 * Webhook signatures (docs/webhooks.md): `SetLab-Signature: t=<unix seconds>,v1=<hex>`, where v1
 * is HMAC-SHA-256 under the shared secret over `<t>.<body>`. The timestamp is under the MAC, so a
 * captured delivery cannot be replayed outside the tolerance window with a fresh time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { OrderEvent } from "./orderEvent";
import { orderEventTypes } from "./orderEvent";

export const webhookSignatureHeader = "setlab-signature";

/** The smallest secret the SDK takes: 32 bytes of a random string's worth. */
export const minWebhookSecretLength = 32;

export type WebhookVerificationErrorCode =
  | "missingSignature"
  | "malformedSignature"
  | "signatureMismatch"
  | "timestampOutsideTolerance"
  | "malformedBody";

export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  constructor(
    readonly code: WebhookVerificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const mac = (secret: string, timestamp: number, body: string | Uint8Array): Buffer =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();

/** The header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string | Uint8Array, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body).toString("hex")}`;
}

export interface VerifyWebhookOptions {
  /** The raw body as received (bytes or the exact string): re-serialised JSON will not match. */
  readonly body: string | Uint8Array;
  /** The `SetLab-Signature` header. */
  readonly signature: string | string[] | undefined;
  readonly secret: string;
  /** How far the timestamp may be from now, either way (seconds, default 300). */
  readonly toleranceSeconds?: number;
  /** Default: the clock. */
  readonly now?: Date;
}

/** Check a webhook's signature and age; returns the event, or throws WebhookVerificationError. */
export function verifyWebhook(options: VerifyWebhookOptions): OrderEvent {
  const header = Array.isArray(options.signature) ? options.signature[0] : options.signature;
  if (!header) throw new WebhookVerificationError("missingSignature", "no SetLab-Signature header");
  const parts = new Map<string, string[]>();
  for (const item of header.split(",")) {
    const eq = item.indexOf("=");
    if (eq <= 0)
      throw new WebhookVerificationError("malformedSignature", "the signature header is malformed");
    const key = item.slice(0, eq).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(eq + 1).trim()]);
  }
  const t = parts.get("t");
  const timestamp = t?.length === 1 && /^\d{1,12}$/.test(t[0]) ? Number(t[0]) : Number.NaN;
  const signatures = (parts.get("v1") ?? []).filter((v) => /^[0-9a-f]{64}$/.test(v));
  if (!Number.isSafeInteger(timestamp) || signatures.length === 0)
    throw new WebhookVerificationError("malformedSignature", "the signature header needs one t and a v1");
  const expected = mac(options.secret, timestamp, options.body);
  // Several v1 values: the sender is rolling its secret over.
  if (!signatures.some((v) => timingSafeEqual(Buffer.from(v, "hex"), expected)))
    throw new WebhookVerificationError("signatureMismatch", "the signature does not match the body");
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance)
    throw new WebhookVerificationError(
      "timestampOutsideTolerance",
      `the webhook was signed ${now - timestamp} s ago, outside the ${tolerance} s tolerance`,
    );
  let event: OrderEvent;
  try {
    const text = typeof options.body === "string" ? options.body : Buffer.from(options.body).toString("utf8");
    event = JSON.parse(text) as OrderEvent;
  } catch {
    throw new WebhookVerificationError("malformedBody", "the body is not JSON");
  }
  if (
    typeof event !== "object" ||
    event === null ||
    typeof event.id !== "string" ||
    !orderEventTypes.includes(event.type)
  )
    throw new WebhookVerificationError("malformedBody", "the body is not an order event");
  return event;
}
