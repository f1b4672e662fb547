/**
 * `set-lab authorize ORDER AMOUNT`: the merchant authorizes more of an order's purchase with the
 * gateway's AuthToken (a split shipment's next part, the next installment or recurring payment),
 * through its admin route `POST /orders/:id/authorize`. AMOUNT is a decimal in the order's currency.
 *
 * `--advance 31d` runs it as if that much time had passed since now, for the lab only: the
 * gateway's clock of AuthToken schedules moves ahead through its fault switches (the plan field
 * `scheduleAdvanceSeconds`, which a gateway started without SETLAB_ALLOW_FAULTS=1 does not have),
 * and the plan in force before is put back afterwards. The gateway's own clock stays: the
 * merchant's AuthReq is dated now, and CRLs and certificates are judged now.
 */
import type { AdminAccess } from "@setlab/runtime/client";
import { adminOf, LabFailure, readState } from "../labState";
import { type GatewayFaultPlan, getFaults, setFaults } from "./fault";
import { amountInOrderCurrency, checkOrderId, type OrderAmount, postOrderOperation } from "./orderAdminRoute";

/** One later authorization as the merchant recorded it. */
export interface LaterAuthorization {
  readonly part: number;
  readonly authCode?: string;
  readonly authAmt?: OrderAmount;
  readonly failure?: string;
}

/** What the lab shows of the order after the authorization. */
export interface AuthorizedOrder {
  readonly id: number;
  readonly state: string;
  readonly authorization?: { readonly subsequent?: readonly LaterAuthorization[] } | null;
}

export async function authorizeOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount: string,
  idempotencyKey?: string,
): Promise<AuthorizedOrder> {
  checkOrderId(orderId);
  const body = await amountInOrderCurrency(merchant, orderId, amount);
  return postOrderOperation<AuthorizedOrder>(
    merchant,
    orderId,
    "authorize",
    body,
    idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
  );
}

/** The most an advance may be: what the gateway's plan allows (10 years of 366 days). */
const maxAdvanceDays = 3660;

/** `31d` or `12h`: seconds ahead; LabFailure for anything else. */
export function advanceSecondsOf(text: string): number {
  const m = /^([0-9]{1,5})([dh])$/.exec(text);
  const n = Number(m?.[1]);
  const seconds = m?.[2] === "d" ? n * 86_400 : n * 3600;
  if (!m || n < 1 || seconds > maxAdvanceDays * 86_400)
    throw new LabFailure(
      `--advance takes days or hours ahead (31d, 12h; at most ${maxAdvanceDays}d), not "${text}"`,
    );
  return seconds;
}

export async function authorizeOrder(
  home: string,
  orderId: string,
  amount: string,
  options: { readonly advanceSeconds?: number } = {},
): Promise<AuthorizedOrder> {
  const merchant = adminOf(readState(home), "merchant");
  if (options.advanceSeconds === undefined) return authorizeOrderAt(merchant, orderId, amount);
  const before = (await getFaults(home, "gateway")) as GatewayFaultPlan;
  await setFaults(home, "gateway", { ...before, scheduleAdvanceSeconds: options.advanceSeconds });
  try {
    return await authorizeOrderAt(merchant, orderId, amount);
  } finally {
    await setFaults(home, "gateway", before);
  }
}
