/**
 * `set-merchant capture --admin-url URL --admin-token-file FILE ORDER [AMOUNT [AMTEXP10]]
 * [--authorization N]`: the back office captures an order through the merchant's admin route
 * (`POST /orders/:id/capture`), all of its authorization or AMOUNT x 10^AMTEXP10 in the order's
 * currency; `--authorization N` captures the purchase's Nth authorization (a split shipment's
 * part). Prints the order as the route answers it; exit 0 when that authorization is captured (in
 * full or in part), 1 when it is not.
 */
import { adminFetch, readAdminTokenFile } from "@setlab/runtime";
import {
  amountBody,
  authorizationInView,
  type OrderAmountArgs,
  parseOrderAmountArgs,
} from "./orderAmountArgs";

export type CaptureArgs = OrderAmountArgs;

export const parseCapture = (argv: readonly string[]): CaptureArgs =>
  parseOrderAmountArgs("capture", argv, 1);

/** Run the capture; `out` gets the answer's JSON. The exit code. */
export async function runCapture(args: CaptureArgs, out: (line: string) => void): Promise<number> {
  const access = { url: args.adminUrl, token: readAdminTokenFile(args.tokenFile) };
  const res = await adminFetch(access, `/orders/${args.orderId}/capture`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(amountBody(args)),
  });
  const text = await res.text();
  out(text);
  if (res.status !== 200) return 1;
  const captured = authorizationInView(JSON.parse(text), args.authorization)?.capture?.capCode;
  return captured === "success" ? 0 : 1;
}
