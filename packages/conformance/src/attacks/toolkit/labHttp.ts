/**
 * The lab over HTTP, as the attacks use it: what any client may do at the merchant's payment
 * listener (initiation objects, raw SET messages); what the shop's back office does on the
 * merchant's admin listener (creating orders); and the admin routes used to prove that an attack
 * changed nothing (the merchant's `GET /orders/:id`, the gateway's `/admin/authorizations` and
 * `/admin/accounts/:cardId`), read with the lab's admin token.
 */

import { type Initiation, readInitiation } from "@setlab/protocol";
import { type AdminAccess, adminHeaders } from "@setlab/runtime";
import type { AttackTarget } from "../attack";

export const SET_PAYMENT = "application/set-payment";

/** What an HTTP endpoint answered: the status and the raw body. */
export interface RawAnswer {
  readonly status: number;
  readonly bytes: Uint8Array;
}

/** POST raw bytes, any content type; never throws for an HTTP status. */
export async function postRaw(
  url: string,
  body: Uint8Array,
  contentType = SET_PAYMENT,
  timeoutMs = 45_000,
): Promise<RawAnswer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType },
    body: Buffer.from(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** POST a SET message to the merchant's `/set`. */
export const postToMerchant = (target: AttackTarget, der: Uint8Array) =>
  postRaw(`${target.merchantUrl}/set`, der);

/** POST a SET message to the gateway's `/set`. */
export const postToGateway = (target: AttackTarget, der: Uint8Array) =>
  postRaw(`${target.gatewayUrl}/set`, der);

export async function getJson<T>(url: string, admin?: AdminAccess): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    ...(admin ? { headers: adminHeaders(admin.token) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    throw new Error(`${url} answered HTTP ${res.status} without JSON`);
  }
  return { status: res.status, body };
}

export interface PurchAmt {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

export interface OrderSpec {
  readonly amount?: number;
  readonly currency?: number;
  readonly amtExp10?: number;
  readonly description?: string;
  readonly brand?: string;
  readonly profile?: "set" | "hardened" | "embodiment-1" | "embodiment-2";
}

export interface CreatedOrder {
  readonly id: string;
  readonly lidM: string;
}

/** `POST /orders` in the merchant's back office, as the shop does when a buyer checks out. */
export async function createOrder(target: AttackTarget, spec: OrderSpec = {}): Promise<CreatedOrder> {
  const res = await fetch(`${target.merchantAdmin.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", ...adminHeaders(target.merchantAdmin.token) },
    body: JSON.stringify({
      description: spec.description ?? "1 x SET Lab mug",
      amount: spec.amount ?? 1280,
      currency: spec.currency ?? 392,
      amtExp10: spec.amtExp10 ?? 0,
      brand: spec.brand ?? "Visa",
      profile: spec.profile ?? "set",
    }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { id?: string | number; lidM?: string; error?: string };
  if (res.status !== 201 || body.id === undefined || body.lidM === undefined)
    throw new Error(`the merchant did not create the order: HTTP ${res.status} ${body.error ?? ""}`);
  return { id: String(body.id), lidM: body.lidM };
}

export async function fetchInitiation(target: AttackTarget, orderId: string): Promise<Initiation> {
  const res = await fetch(`${target.merchantUrl}/orders/${orderId}/initiation`, {
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) throw new Error(`no initiation object for order ${orderId}: HTTP ${res.status}`);
  return readInitiation(await res.text());
}

/** The merchant's view of an order (`GET /orders/:id`). */
export interface OrderView {
  readonly id: string | number;
  readonly state: string;
  readonly xid?: string;
  readonly history?: readonly { state: string; at: string; detail?: unknown }[];
  readonly authorization?: Record<string, unknown> | null;
  readonly [k: string]: unknown;
}

export async function orderView(target: AttackTarget, orderId: string): Promise<OrderView> {
  const { status, body } = await getJson<OrderView>(
    `${target.merchantAdmin.url}/orders/${orderId}`,
    target.merchantAdmin,
  );
  if (status !== 200) throw new Error(`the merchant has no order ${orderId} (HTTP ${status})`);
  return body;
}

/** The gateway's authorizations for an XID (hex, 40 digits). */
export async function authorizationsFor(
  target: AttackTarget,
  xidHex: string,
): Promise<readonly Record<string, unknown>[]> {
  const { status, body } = await getJson<Record<string, unknown>[]>(
    `${target.gatewayAdmin.url}/admin/authorizations?xid=${xidHex}`,
    target.gatewayAdmin,
  );
  if (status !== 200) throw new Error(`the gateway did not list authorizations (HTTP ${status})`);
  return body;
}

/** The issuer simulator's account view of a test card (balance, held), or undefined if unknown. */
export async function accountOf(
  target: AttackTarget,
  cardId: string,
): Promise<Record<string, unknown> | undefined> {
  const { status, body } = await getJson<Record<string, unknown>>(
    `${target.gatewayAdmin.url}/admin/accounts/${encodeURIComponent(cardId)}`,
    target.gatewayAdmin,
  );
  return status === 200 ? body : undefined;
}
