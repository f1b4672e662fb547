/**
 * `set-merchant capture --admin-url URL --admin-token-file FILE ORDER [AMOUNT [AMTEXP10]]`: the
 * back office captures an order through the merchant's admin route (`POST /orders/:id/capture`),
 * all of its authorization or AMOUNT x 10^AMTEXP10 in the order's currency. Prints the order as
 * the route answers it; exit 0 when the order is captured (in full or in part), 1 when it is not.
 */
import { adminFetch, readAdminTokenFile, UsageError } from "@setlab/runtime";

export interface CaptureArgs {
  readonly adminUrl: string;
  readonly tokenFile: string;
  readonly orderId: string;
  readonly amount?: number;
  readonly amtExp10?: number;
}

const integer = (what: string, value: string, min: number, max: number): number => {
  if (!/^-?[0-9]{1,16}$/.test(value)) throw new UsageError(`${what} must be an integer, not ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be in ${min}..${max}`);
  return n;
};

export function parseCapture(argv: readonly string[]): CaptureArgs {
  const positionals: string[] = [];
  let adminUrl: string | undefined;
  let tokenFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith("--")) {
      positionals.push(flag);
      continue;
    }
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    if (flag === "--admin-url") adminUrl = value;
    else if (flag === "--admin-token-file") tokenFile = value;
    else throw new UsageError(`unknown option ${flag}`);
  }
  if (!adminUrl || !tokenFile) throw new UsageError("capture needs --admin-url and --admin-token-file");
  const [orderId, amount, amtExp10, ...extra] = positionals;
  if (!orderId || extra.length > 0) throw new UsageError("capture takes ORDER [AMOUNT [AMTEXP10]]");
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new UsageError(`${orderId} is not an order number`);
  return {
    adminUrl,
    tokenFile,
    orderId,
    ...(amount !== undefined ? { amount: integer("AMOUNT", amount, 1, Number.MAX_SAFE_INTEGER) } : {}),
    ...(amtExp10 !== undefined ? { amtExp10: integer("AMTEXP10", amtExp10, -18, 18) } : {}),
  };
}

/** Run the capture; `out` gets the answer's JSON. The exit code. */
export async function runCapture(args: CaptureArgs, out: (line: string) => void): Promise<number> {
  const access = { url: args.adminUrl, token: readAdminTokenFile(args.tokenFile) };
  const body = {
    ...(args.amount !== undefined ? { amount: args.amount } : {}),
    ...(args.amtExp10 !== undefined ? { amtExp10: args.amtExp10 } : {}),
  };
  const res = await adminFetch(access, `/orders/${args.orderId}/capture`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  out(text);
  if (res.status !== 200) return 1;
  const state = (JSON.parse(text) as { state?: string }).state;
  return state === "captured" || state === "partiallyCaptured" ? 0 : 1;
}
