/**
 * `set-merchant refund|reverse-capture|reverse-refund --admin-url URL --admin-token-file FILE ORDER
 * [AMOUNT [AMTEXP10]] [--credit ID] [--batch N] [--idempotency-key KEY] [--authorization N]`: the back office
 * credits an order's (or with `--authorization N`, its purchase's Nth authorization's)
 * capture, reverses the whole capture, or takes a credit back, through the merchant's admin routes
 * (`POST /orders/:id/refund`, `/reverse-capture`, `/reverse-refund`; capRevOrCredRoutes.ts). No
 * AMOUNT: all that may be; `--credit` (reverse-refund only): the credit to take back, the last by
 * default; `--batch N`: the settlement batch to book it into (NewBatchID), the gateway's open
 * batch by default. Prints the order as the route answers it; exit 0 when the gateway did it, 1 when not.
 */
import { adminFetch, readAdminTokenFile, UsageError } from "@setlab/runtime";
import { isBatchNumber } from "./core/batchNumber";
import {
  amountBody,
  authorizationInView,
  type OrderAmountArgs,
  parseOrderAmountArgs,
} from "./orderAmountArgs";

export type CapRevOrCredCommand = "refund" | "reverse-capture" | "reverse-refund";

export interface CapRevOrCredArgs extends OrderAmountArgs {
  readonly command: CapRevOrCredCommand;
  readonly creditId?: string;
  readonly idempotencyKey?: string;
  readonly batchId?: number;
}

export function parseCapRevOrCred(command: CapRevOrCredCommand, argv: readonly string[]): CapRevOrCredArgs {
  const rest: string[] = [];
  let creditId: string | undefined;
  let idempotencyKey: string | undefined;
  let batchId: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag !== "--credit" && flag !== "--idempotency-key" && flag !== "--batch") {
      rest.push(flag);
      continue;
    }
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    if (flag === "--idempotency-key") idempotencyKey = value;
    else if (flag === "--batch") {
      if (!/^[1-9][0-9]{0,9}$/.test(value) || !isBatchNumber(Number(value)))
        throw new UsageError(`${value} is not a batch number (1 to 2147483647)`);
      batchId = Number(value);
    } else if (command !== "reverse-refund") throw new UsageError(`--credit is for reverse-refund only`);
    else if (!/^[0-9a-f]{40}$/.test(value))
      throw new UsageError(`${value} is not a credit id (40 hex digits)`);
    else creditId = value;
  }
  const args = parseOrderAmountArgs(command, rest, 1);
  if (command === "reverse-capture" && args.amount !== undefined)
    throw new UsageError("reverse-capture takes ORDER only: it reverses the whole capture");
  return {
    ...args,
    command,
    ...(creditId ? { creditId } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    ...(batchId !== undefined ? { batchId } : {}),
  };
}

/** Run it; `out` gets the answer's JSON. The exit code. */
export async function runCapRevOrCred(args: CapRevOrCredArgs, out: (line: string) => void): Promise<number> {
  const access = { url: args.adminUrl, token: readAdminTokenFile(args.tokenFile) };
  const res = await adminFetch(access, `/orders/${args.orderId}/${args.command}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(args.idempotencyKey ? { "idempotency-key": args.idempotencyKey } : {}),
    },
    body: JSON.stringify({
      ...amountBody(args),
      ...(args.creditId ? { creditId: args.creditId } : {}),
      ...(args.batchId !== undefined ? { batchId: args.batchId } : {}),
    }),
  });
  const text = await res.text();
  out(text);
  if (res.status !== 200) return 1;
  const done = authorizationInView(JSON.parse(text), args.authorization)?.capRevOrCreds?.at(-1)?.code;
  return done === "success" ? 0 : 1;
}
