/**
 * `set-merchant reverse --admin-url URL --admin-token-file FILE ORDER [AMOUNT [AMTEXP10]]
 * [--authorization N]`: the back office reverses an order's uncaptured authorization (or the
 * purchase's Nth) through the merchant's admin route (`POST /orders/:id/reverse-authorization`):
 * cancels it, or reduces it to AMOUNT x 10^AMTEXP10 in the order's currency (AMOUNT 0 cancels
 * too). Prints the order as the route answers it; exit 0 when the gateway approved the reversal,
 * 1 when it did not.
 */
import { adminFetch, readAdminTokenFile } from "@setlab/runtime";
import {
  amountBody,
  authorizationInView,
  type OrderAmountArgs,
  parseOrderAmountArgs,
} from "./orderAmountArgs";

export type ReverseArgs = OrderAmountArgs;

export const parseReverse = (argv: readonly string[]): ReverseArgs =>
  parseOrderAmountArgs("reverse", argv, 0);

/** Run the reversal; `out` gets the answer's JSON. The exit code. */
export async function runReverse(args: ReverseArgs, out: (line: string) => void): Promise<number> {
  const access = { url: args.adminUrl, token: readAdminTokenFile(args.tokenFile) };
  const res = await adminFetch(access, `/orders/${args.orderId}/reverse-authorization`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(amountBody(args)),
  });
  const text = await res.text();
  out(text);
  if (res.status !== 200) return 1;
  const reversal = authorizationInView(JSON.parse(text), args.authorization)?.reversal;
  return reversal?.authRevCode === "approved" ? 0 : 1;
}
