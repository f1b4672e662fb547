/**
 * Delivers the webhook outbox: each pending event POSTed as JSON to the shop's endpoint with its
 * signature (webhookSignature.ts); a 2xx answer delivers it, anything else (another status, a
 * refused connection, a timeout) is tried again after 1 s, 2 s, 4 s... up to `maxDelayMs`, until
 * `maxAttempts` attempts, then left as failed in the store. Every attempt and its outcome is a
 * write to the store, so a restarted merchant carries on where the stopped one was.
 */
import type { MerchantRepository, PendingWebhook } from "../store/repository";
import { signWebhook, webhookSignatureHeader } from "./webhookSignature";

export interface WebhookOptions {
  /** Where events are POSTed (http or https). */
  readonly url: string;
  /** The shared secret the shop verifies with (`verifyWebhook`), at least 32 characters. */
  readonly secret: string;
  /** Per attempt (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** Default 12 (about an hour of tries with the default delays). */
  readonly maxAttempts?: number;
  /** The first retry's delay (default 1000 ms), doubled each time. */
  readonly initialDelayMs?: number;
  /** The longest delay between two attempts (default 15 minutes). */
  readonly maxDelayMs?: number;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones (exponential backoff). */
export function retryDelayMs(attempts: number, options: WebhookOptions): number {
  const first = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 15 * 60_000;
  return Math.min(max, first * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryReport {
  readonly eventId: string;
  readonly delivered: boolean;
  readonly error?: string;
  readonly gaveUp?: boolean;
}

/** Send every webhook due now, one at a time (in order); returns what happened to each. */
export async function deliverDueWebhooks(
  repo: MerchantRepository,
  options: WebhookOptions,
  now: () => Date,
): Promise<DeliveryReport[]> {
  const reports: DeliveryReport[] = [];
  for (;;) {
    const due = await repo.dueWebhooks(now().toISOString(), 20);
    if (due.length === 0) return reports;
    for (const w of due) reports.push(await deliverOne(repo, options, w, now));
  }
}

async function deliverOne(
  repo: MerchantRepository,
  options: WebhookOptions,
  w: PendingWebhook,
  now: () => Date,
): Promise<DeliveryReport> {
  const error = await post(options, w.body, Math.floor(now().getTime() / 1000));
  const at = now();
  if (error === undefined) {
    await repo.webhookAttempted(w.eventId, { delivered: true }, at);
    return { eventId: w.eventId, delivered: true };
  }
  const attempts = w.attempts + 1;
  const gaveUp = attempts >= (options.maxAttempts ?? 12);
  const retryAt = gaveUp ? null : new Date(at.getTime() + retryDelayMs(attempts, options)).toISOString();
  await repo.webhookAttempted(w.eventId, { delivered: false, error, retryAt }, at);
  return { eventId: w.eventId, delivered: false, error, ...(gaveUp ? { gaveUp } : {}) };
}

/** One POST; undefined when the shop took it (2xx), else why not. */
async function post(options: WebhookOptions, body: string, timestamp: number): Promise<string | undefined> {
  try {
    const res = await fetch(options.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [webhookSignatureHeader]: signWebhook(options.secret, body, timestamp),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? undefined : `HTTP ${res.status}`;
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return cause ? `${(e as Error).message}: ${cause}` : (e as Error).message;
  }
}
