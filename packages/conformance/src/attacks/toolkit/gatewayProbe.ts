/**
 * The network position in front of the gateway: POST raw SET bytes to `/set` (with a run id so
 * the gateway's log line can be found again), read the gateway's inspection routes (on its admin
 * listener, with the lab's token), and read the parties' JSON logs in the lab home.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type AdminAccess, adminFetch } from "@setlab/runtime";

export interface GatewayRawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly runId: string;
}

/** POST `bytes` to `url` as application/set-payment; any HTTP answer is returned, never thrown. */
export async function postSetRaw(
  url: string,
  bytes: Uint8Array,
  runId = `atk-${randomBytes(6).toString("hex")}`,
) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/set-payment", "x-setlab-run-id": runId },
    body: new Uint8Array(bytes) as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(20_000),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    body,
    runId,
  } satisfies GatewayRawAnswer;
}

export interface AuthorizationView {
  readonly xid: string;
  readonly authRRPID: string;
  readonly merchantID: string;
  readonly amount: number;
  readonly authCode: string;
  readonly held: number;
  readonly [k: string]: unknown;
}

export async function authorizationsOf(
  gatewayAdmin: AdminAccess,
  xidHex: string,
): Promise<AuthorizationView[]> {
  const res = await adminFetch(gatewayAdmin, `/admin/authorizations?xid=${xidHex}`);
  if (res.status !== 200) throw new Error(`/admin/authorizations answered HTTP ${res.status}`);
  return (await res.json()) as AuthorizationView[];
}

/** The issuer simulator's hold on a test card's account. */
export async function heldOn(gatewayAdmin: AdminAccess, cardId: string): Promise<number> {
  const res = await adminFetch(gatewayAdmin, `/admin/accounts/${encodeURIComponent(cardId)}`);
  if (res.status !== 200) throw new Error(`/admin/accounts/${cardId} answered HTTP ${res.status}`);
  return ((await res.json()) as { held: number }).held;
}

/** Every JSON line a party logged (HOME/logs/<party>.log); lines that are not JSON are skipped. */
export function logEntries(home: string, party: "gateway" | "merchant" | "phone"): Record<string, unknown>[] {
  const file = path.join(home, "logs", `${party}.log`);
  if (!fs.existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** The gateway's log entry for the request sent with `runId` (waits briefly for the write). */
export async function gatewayLogFor(
  home: string,
  runId: string,
): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 100; i++) {
    const found = logEntries(home, "gateway").find((e) => e.runId === runId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
