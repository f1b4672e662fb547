/**
 * `set-lab refund ORDER [AMOUNT]`, `set-lab reverse-capture ORDER` and `set-lab reverse-refund
 * ORDER [CREDIT-ID] [AMOUNT]`: the merchant credits, reverses a capture or takes back a credit
 * through its admin routes (`POST /orders/:id/refund`, `/reverse-capture`, `/reverse-refund`).
 * AMOUNT is a decimal in the order's currency; CREDIT-ID a credit's id as the order lists it
 * (`authorization.capRevOrCreds[].id`), the last credit by default; `--batch N` books it into the
 * merchant's settlement batch N (NewBatchID) instead of the open one.
 */
import { parseArgs } from "node:util";
import { UsageError } from "@setlab/runtime";
import type { AdminAccess } from "@setlab/runtime/client";
import { formatAmount } from "../currency";
import { adminOf, LabFailure, readState } from "../labState";
import {
  amountInOrderCurrency,
  authorizationNumber,
  authorizationOf,
  checkOrderId,
  type OrderWithAuthorizations,
  postOrderOperation,
} from "./orderAdminRoute";

const kindOf: Readonly<Record<CapRevOrCredCommand, string>> = {
  refund: "credit",
  "reverse-capture": "captureReversal",
  "reverse-refund": "creditReversal",
};

export type CapRevOrCredCommand = "refund" | "reverse-capture" | "reverse-refund";

/** What the lab shows of the order afterwards. */
export type OrderAfterCapture = OrderWithAuthorizations;

export async function capRevOrCredOrderAt(
  merchant: AdminAccess,
  command: CapRevOrCredCommand,
  orderId: string,
  options: { amount?: string; creditId?: string; authorization?: number; batchId?: number } = {},
): Promise<OrderAfterCapture> {
  checkOrderId(orderId);
  if (options.creditId !== undefined && !/^[0-9a-f]{40}$/.test(options.creditId))
    throw new LabFailure(`"${options.creditId}" is not a credit id (40 hex digits)`);
  const body = {
    ...(options.creditId ? { creditId: options.creditId } : {}),
    ...(options.amount !== undefined ? await amountInOrderCurrency(merchant, orderId, options.amount) : {}),
    ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
    ...(options.batchId !== undefined ? { batchId: options.batchId } : {}),
  };
  return postOrderOperation<OrderAfterCapture>(merchant, orderId, command, body);
}

/** `--batch N`: one of the merchant's batch numbers. */
function batchNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2147483647)
    throw new LabFailure(`--batch takes a batch number (1 to 2147483647), not ${value}`);
  return Number(value);
}

/** The command line: exit 0 when done, 2 when the gateway refused or gave no usable answer. */
export async function capRevOrCredCommand(
  command: CapRevOrCredCommand,
  args: string[],
  out: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab" },
      json: { type: "boolean", default: false },
      authorization: { type: "string" },
      batch: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [orderId, ...rest] = positionals;
  const isCredit = rest[0] !== undefined && /^[0-9a-f]{40}$/.test(rest[0]);
  const max = command === "reverse-capture" ? 0 : command === "refund" || !isCredit ? 1 : 2;
  if (!orderId || rest.length > max)
    throw new UsageError(
      command === "refund"
        ? "refund needs ORDER [AMOUNT]"
        : command === "reverse-capture"
          ? "reverse-capture needs ORDER"
          : "reverse-refund needs ORDER [CREDIT-ID] [AMOUNT]",
    );
  const options =
    command === "reverse-refund" && isCredit
      ? { creditId: rest[0], ...(rest[1] !== undefined ? { amount: rest[1] } : {}) }
      : rest[0] !== undefined
        ? { amount: rest[0] }
        : {};
  const part = authorizationNumber(values.authorization);
  const batch = batchNumber(values.batch);
  const order = await capRevOrCredOrderAt(adminOf(readState(values.home), "merchant"), command, orderId, {
    ...options,
    ...(part !== undefined ? { authorization: part } : {}),
    ...(batch !== undefined ? { batchId: batch } : {}),
  });
  const last = authorizationOf(order, part)?.capRevOrCreds?.at(-1);
  // Done when the request this call made (or repeated) is the last one of its kind, answered success.
  const done = last?.kind === kindOf[command] && last.code === "success";
  if (values.json) out(JSON.stringify(order));
  else
    out(
      done && last?.actualAmt
        ? `order ${order.id} ${order.state}: ${formatAmount(last.actualAmt)}${last.kind === "credit" ? ` (credit ${last.id})` : ""}`
        : `order ${order.id} unchanged (${order.state}): ${last?.code ? `code ${last.code}` : (last?.failure ?? "no answer")}`,
    );
  return done ? 0 : 2;
}
