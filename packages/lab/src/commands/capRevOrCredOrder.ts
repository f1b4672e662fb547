/**
 * `set-lab refund ORDER [AMOUNT]`, `set-lab reverse-capture ORDER` and `set-lab reverse-refund
 * ORDER [CREDIT-ID] [AMOUNT]`: the merchant credits, reverses a capture or takes back a credit
 * through its admin routes (`POST /orders/:id/refund`, `/reverse-capture`, `/reverse-refund`).
 * AMOUNT is a decimal in the order's currency; CREDIT-ID a credit's id as the order lists it
 * (`authorization.capRevOrCreds[].id`), the last credit by default.
 */
import { parseArgs } from "node:util";
import { UsageError } from "@setlab/runtime";
import type { AdminAccess } from "@setlab/runtime/dist/adminAccess";
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
  options: { amount?: string; creditId?: string; authorization?: number } = {},
): Promise<OrderAfterCapture> {
  checkOrderId(orderId);
  if (options.creditId !== undefined && !/^[0-9a-f]{40}$/.test(options.creditId))
    throw new LabFailure(`"${options.creditId}" is not a credit id (40 hex digits)`);
  const body = {
    ...(options.creditId ? { creditId: options.creditId } : {}),
    ...(options.amount !== undefined ? await amountInOrderCurrency(merchant, orderId, options.amount) : {}),
    ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
  };
  return postOrderOperation<OrderAfterCapture>(merchant, orderId, command, body);
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
  const order = await capRevOrCredOrderAt(adminOf(readState(values.home), "merchant"), command, orderId, {
    ...options,
    ...(part !== undefined ? { authorization: part } : {}),
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
