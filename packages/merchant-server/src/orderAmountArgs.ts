/**
 * The arguments of the back-office commands that act on one order with an optional amount
 * (`set-merchant capture`, `set-merchant reverse`): `--admin-url URL --admin-token-file FILE ORDER
 * [AMOUNT [AMTEXP10]] [--authorization N]`, AMOUNT x 10^AMTEXP10 in the order's currency;
 * `--authorization N` names the purchase's authorization (a split shipment's part).
 */
import { UsageError } from "@setlab/runtime";

export interface OrderAmountArgs {
  readonly adminUrl: string;
  readonly tokenFile: string;
  readonly orderId: string;
  readonly amount?: number;
  readonly amtExp10?: number;
  /** The purchase's authorization to act on: 1 the first (the route's default), 2 and on a later one. */
  readonly authorization?: number;
}

const integer = (what: string, value: string, min: number, max: number): number => {
  if (!/^-?[0-9]{1,16}$/.test(value)) throw new UsageError(`${what} must be an integer, not ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be in ${min}..${max}`);
  return n;
};

/** `minAmount`: the least AMOUNT the command takes (1 for a capture, 0 for a reversal's cancel). */
export function parseOrderAmountArgs(
  command: string,
  argv: readonly string[],
  minAmount: number,
): OrderAmountArgs {
  const positionals: string[] = [];
  let adminUrl: string | undefined;
  let tokenFile: string | undefined;
  let authorization: number | undefined;
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
    else if (flag === "--authorization")
      authorization = integer("--authorization", value, 1, Number.MAX_SAFE_INTEGER);
    else throw new UsageError(`unknown option ${flag}`);
  }
  if (!adminUrl || !tokenFile) throw new UsageError(`${command} needs --admin-url and --admin-token-file`);
  const [orderId, amount, amtExp10, ...extra] = positionals;
  if (!orderId || extra.length > 0) throw new UsageError(`${command} takes ORDER [AMOUNT [AMTEXP10]]`);
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new UsageError(`${orderId} is not an order number`);
  return {
    adminUrl,
    tokenFile,
    orderId,
    ...(amount !== undefined
      ? { amount: integer("AMOUNT", amount, minAmount, Number.MAX_SAFE_INTEGER) }
      : {}),
    ...(amtExp10 !== undefined ? { amtExp10: integer("AMTEXP10", amtExp10, -18, 18) } : {}),
    ...(authorization !== undefined ? { authorization } : {}),
  };
}

/** The route's JSON body for the amount (and authorization) given, `{}` for none. */
export const amountBody = (args: OrderAmountArgs) => ({
  ...(args.amount !== undefined ? { amount: args.amount } : {}),
  ...(args.amtExp10 !== undefined ? { amtExp10: args.amtExp10 } : {}),
  ...(args.authorization !== undefined ? { authorization: args.authorization } : {}),
});

interface CaptureView {
  readonly capture?: { readonly capCode?: string };
  readonly capRevOrCreds?: readonly { readonly code?: string }[];
  readonly reversal?: { readonly authRevCode?: string };
}

/** In the order a route answered with, the authorization `n` (default 1) a command acted on. */
export function authorizationInView(
  order: {
    readonly authorization?: CaptureView & {
      readonly subsequent?: readonly (CaptureView & { readonly part: number; readonly authCode?: string })[];
    };
  },
  n = 1,
): CaptureView | undefined {
  const auth = order.authorization;
  if (n === 1) return auth;
  return auth?.subsequent?.find((s) => s.part === n && s.authCode === "approved");
}
