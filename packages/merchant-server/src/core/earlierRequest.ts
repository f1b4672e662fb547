/**
 * A call repeated with its idempotency key names the request the order keeps from the first call
 * (a capture, a reversal): that request, when it was made with this key. The same key asking for
 * something else (another amount) is refused, never acted on.
 */
export function earlierRequest<R extends { readonly idempotencyKey?: string }>(
  key: string | undefined,
  kept: R | undefined,
  askedTheSame: (kept: R) => boolean,
  reused: (message: string) => Error,
): R | undefined {
  if (key === undefined || kept === undefined || kept.idempotencyKey !== key) return undefined;
  if (!askedTheSame(kept)) throw reused(`idempotency key ${key} was used for another amount`);
  return kept;
}
