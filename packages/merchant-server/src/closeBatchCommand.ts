/**
 * `set-merchant close-batch --admin-url URL --admin-token-file FILE [BATCH] [--idempotency-key
 * KEY]`: the back office closes the merchant's open batch (or batch BATCH) at its gateway through
 * the merchant's admin route (`POST /batches/close`, batchRoutes.ts). Prints the gateway's answer
 * as the route gives it: the batch's status and, per brand and currency, its sales, credits and
 * net. Exit 0 when the gateway answered success, 1 when not.
 */
import { adminFetch, readAdminTokenFile, UsageError } from "@setlab/runtime";

export interface CloseBatchArgs {
  readonly adminUrl: string;
  readonly tokenFile: string;
  readonly batchId?: number;
  readonly idempotencyKey?: string;
}

export function parseCloseBatch(argv: readonly string[]): CloseBatchArgs {
  const positionals: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith("--")) {
      positionals.push(flag);
      continue;
    }
    if (flag !== "--admin-url" && flag !== "--admin-token-file" && flag !== "--idempotency-key")
      throw new UsageError(`unknown option ${flag}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    values[flag] = value;
  }
  const { "--admin-url": adminUrl, "--admin-token-file": tokenFile } = values;
  if (!adminUrl || !tokenFile) throw new UsageError("close-batch needs --admin-url and --admin-token-file");
  if (positionals.length > 1) throw new UsageError("close-batch takes [BATCH] only");
  const [batch] = positionals;
  if (batch !== undefined && (!/^[1-9][0-9]{0,9}$/.test(batch) || Number(batch) > 2147483647))
    throw new UsageError(`${batch} is not a batch number (1 to 2147483647)`);
  const key = values["--idempotency-key"];
  return {
    adminUrl,
    tokenFile,
    ...(batch !== undefined ? { batchId: Number(batch) } : {}),
    ...(key !== undefined ? { idempotencyKey: key } : {}),
  };
}

/** Run it; `out` gets the answer's JSON. The exit code. */
export async function runCloseBatch(args: CloseBatchArgs, out: (line: string) => void): Promise<number> {
  const access = { url: args.adminUrl, token: readAdminTokenFile(args.tokenFile) };
  const res = await adminFetch(access, "/batches/close", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(args.idempotencyKey ? { "idempotency-key": args.idempotencyKey } : {}),
    },
    body: JSON.stringify(args.batchId !== undefined ? { batchId: args.batchId } : {}),
  });
  const text = await res.text();
  out(text);
  if (res.status !== 200) return 1;
  return (JSON.parse(text) as { code?: string }).code === "success" ? 0 : 1;
}
