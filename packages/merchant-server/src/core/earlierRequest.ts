/**
 * A call repeated with its idempotency key names the request the order keeps from the first call
 * (a capture, a reversal of one authorization): `earlier`, that request when it was made with this
 * key, beside `part`, the authorization the call names. A key names one request of the order: the
 * same key kept on another authorization, or asking for something else (another amount), is
 * refused, never acted on.
 */
import { type AuthorizationPart, authorizationPart, authorizationParts } from "./authorizationPart";
import type { Order } from "./order";

export function earlierRequest<R extends { readonly idempotencyKey?: string }>(
  order: Order,
  partNo: number,
  key: string | undefined,
  request: {
    /** What the request is called in a refusal: `capture`, `reversal`. */
    readonly name: string;
    readonly keptOn: (part: AuthorizationPart) => R | undefined;
    readonly askedTheSame: (kept: R) => boolean;
  },
  reused: (message: string) => Error,
): { readonly part?: AuthorizationPart; readonly earlier?: R } {
  if (
    key !== undefined &&
    authorizationParts(order).some((a) => a.part !== partNo && request.keptOn(a)?.idempotencyKey === key)
  )
    throw reused(`idempotency key ${key} was used for another authorization's ${request.name}`);
  const part = authorizationPart(order, partNo);
  const kept = part && request.keptOn(part);
  if (key === undefined || kept === undefined || kept.idempotencyKey !== key) return { part };
  if (!request.askedTheSame(kept)) throw reused(`idempotency key ${key} was used for another amount`);
  return { part, earlier: kept };
}
