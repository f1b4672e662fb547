/**
 * `set-lab fault`: set, show or clear a running party's fault plan (docs/faults.md) through the
 * `/admin/faults` routes of its admin listener, with the lab's admin token. Parties honour them only when started with SETLAB_ALLOW_FAULTS=1, which
 * `set-lab up` sets; a party that answers 404 was started without it.
 *
 *   set-lab fault gateway --delay MS [--stage received|committed] [--delay-rate R] [--drop R]
 *                         [--5xx R] [--malformed R] [--bad-signature R] [--clock-skew S]
 *   set-lab fault merchant [--pause-before-send MS] [--pause-after-authres MS]
 *   set-lab fault gateway|merchant --clear
 *   set-lab fault gateway|merchant            (show the plan in force)
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { adminHeaders, type HttpResponse, httpRequest } from "@setlab/runtime/client";
import { adminOf, isAlive, LabFailure, readState } from "../labState";

export type FaultParty = "gateway" | "merchant";

/** The gateway's plan (the acquirer server validates it again). */
export interface GatewayFaultPlan {
  readonly delayMs?: number;
  readonly delayRate?: number;
  readonly stage?: "received" | "committed";
  readonly dropRate?: number;
  readonly http5xxRate?: number;
  readonly malformedRate?: number;
  readonly badSignatureRate?: number;
  readonly clockSkewSeconds?: number;
  /** The clock of AuthToken schedules runs this far ahead (`set-lab authorize --advance`). */
  readonly scheduleAdvanceSeconds?: number;
}

export interface MerchantFaultPlan {
  readonly pauseBeforeSendMs?: number;
  readonly pauseAfterAuthResMs?: number;
}

export type FaultPlan = GatewayFaultPlan | MerchantFaultPlan;

const faultParties: readonly FaultParty[] = ["gateway", "merchant"];

function faultRoute(home: string, party: string): { url: string; headers: Record<string, string> } {
  if (!faultParties.includes(party as FaultParty))
    throw new LabFailure(`unknown party "${party}": fault switches exist on gateway and merchant`);
  const state = readState(path.resolve(home));
  const p = state.parties[party as FaultParty];
  if (!isAlive(p.pid)) throw new LabFailure(`the lab's ${party} (pid ${p.pid}) is not running`);
  const admin = adminOf(state, party as FaultParty);
  return { url: `${admin.url}/admin/faults`, headers: adminHeaders(admin.token) };
}

async function call(
  home: string,
  party: string,
  method: "GET" | "PUT" | "DELETE",
  body?: unknown,
): Promise<FaultPlan> {
  const { url, headers } = faultRoute(home, party);
  let res: HttpResponse;
  try {
    res = await httpRequest(url, {
      method,
      ...(body === undefined
        ? { headers }
        : { headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) }),
      timeoutMs: 10_000,
    });
  } catch (e) {
    throw new LabFailure(`cannot reach the ${party}: ${(e as Error).message}`);
  }
  const text = res.body.toString("utf8");
  if (res.status === 404)
    throw new LabFailure(`the ${party} has no fault switches (it was started without SETLAB_ALLOW_FAULTS=1)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LabFailure(`the ${party} answered HTTP ${res.status} without JSON`);
  }
  if (res.status === 400)
    throw new LabFailure(`the ${party} refused the plan: ${(json as { error?: string }).error ?? text}`);
  if (res.status < 200 || res.status > 299)
    throw new LabFailure(`the ${party} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  return json as FaultPlan;
}

/** Replace the party's fault plan; resolves with the plan now in force. */
export function setFaults(home: string, party: "gateway", plan: GatewayFaultPlan): Promise<GatewayFaultPlan>;
export function setFaults(
  home: string,
  party: "merchant",
  plan: MerchantFaultPlan,
): Promise<MerchantFaultPlan>;
export function setFaults(home: string, party: FaultParty, plan: FaultPlan): Promise<FaultPlan>;
export function setFaults(home: string, party: FaultParty, plan: FaultPlan): Promise<FaultPlan> {
  return call(home, party, "PUT", plan);
}

/** Clear the party's fault plan. */
export async function clearFaults(home: string, party: FaultParty): Promise<void> {
  await call(home, party, "DELETE");
}

/** The party's fault plan in force. */
export function getFaults(home: string, party: FaultParty): Promise<FaultPlan> {
  return call(home, party, "GET");
}

/** What `set-lab fault ...` asks for. */
export type FaultCommand =
  | { readonly party: FaultParty; readonly action: "set"; readonly plan: FaultPlan }
  | { readonly party: FaultParty; readonly action: "clear" | "show" };

function integer(flag: string, text: string | undefined, signed = false): number | undefined {
  if (text === undefined) return undefined;
  if (!(signed ? /^-?[0-9]{1,12}$/ : /^[0-9]{1,12}$/).test(text))
    throw new LabFailure(`${flag} takes a whole number${signed ? "" : " (0 or more)"}, not "${text}"`);
  return Number(text);
}

function rate(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const r = Number(text);
  if (!/^(0|1|0?\.[0-9]+|1\.0*)$/.test(text) || r < 0 || r > 1)
    throw new LabFailure(`${flag} takes a probability from 0 to 1 (e.g. 0.05), not "${text}"`);
  return r;
}

/** Parse the arguments after `fault` (the party first). `--home` is the caller's. */
export function parseFaultCommand(args: readonly string[]): FaultCommand {
  const [name, ...rest] = args;
  if (!name || name.startsWith("--"))
    throw new LabFailure("fault needs a party: set-lab fault gateway|merchant ... (or --clear)");
  if (!faultParties.includes(name as FaultParty))
    throw new LabFailure(`unknown party "${name}": fault switches exist on gateway and merchant`);
  const party = name as FaultParty;
  const gateway = {
    delay: { type: "string" },
    stage: { type: "string" },
    "delay-rate": { type: "string" },
    drop: { type: "string" },
    "5xx": { type: "string" },
    malformed: { type: "string" },
    "bad-signature": { type: "string" },
    "clock-skew": { type: "string" },
  } as const;
  const merchant = {
    "pause-before-send": { type: "string" },
    "pause-after-authres": { type: "string" },
  } as const;
  // A negative number after a flag is its value (--clock-skew -600), not another flag.
  const joined: string[] = [];
  for (let i = 0; i < rest.length; i++)
    if (rest[i].startsWith("--") && !rest[i].includes("=") && /^-[0-9]/.test(rest[i + 1] ?? ""))
      joined.push(`${rest[i]}=${rest[++i]}`);
    else joined.push(rest[i]);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: joined,
      options: { ...(party === "gateway" ? gateway : merchant), clear: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new LabFailure(`fault ${party}: ${(e as Error).message.split("\n")[0]}`);
  }
  const given = Object.keys(values).filter((k) => k !== "clear");
  if (values.clear) {
    if (given.length > 0) throw new LabFailure("--clear takes no other switch");
    return { party, action: "clear" };
  }
  if (given.length === 0) return { party, action: "show" };
  const s = (k: string) => values[k] as string | undefined;
  if (party === "merchant")
    return {
      party,
      action: "set",
      plan: definedOnly({
        pauseBeforeSendMs: integer("--pause-before-send", s("pause-before-send")),
        pauseAfterAuthResMs: integer("--pause-after-authres", s("pause-after-authres")),
      }),
    };
  const stage = s("stage");
  if (stage !== undefined && stage !== "received" && stage !== "committed")
    throw new LabFailure(`--stage is received or committed, not "${stage}"`);
  if ((stage !== undefined || s("delay-rate") !== undefined) && s("delay") === undefined)
    throw new LabFailure("--stage and --delay-rate need --delay MS");
  const plan = definedOnly({
    delayMs: integer("--delay", s("delay")),
    delayRate: rate("--delay-rate", s("delay-rate")),
    stage,
    dropRate: rate("--drop", s("drop")),
    http5xxRate: rate("--5xx", s("5xx")),
    malformedRate: rate("--malformed", s("malformed")),
    badSignatureRate: rate("--bad-signature", s("bad-signature")),
    clockSkewSeconds: integer("--clock-skew", s("clock-skew"), true),
  });
  return { party, action: "set", plan };
}

/** The plan without the switches not given. */
function definedOnly(plan: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(plan).filter(([, v]) => v !== undefined));
}

/** Run a parsed `set-lab fault` command; resolves with the plan in force afterwards. */
export async function runFaultCommand(home: string, command: FaultCommand): Promise<FaultPlan> {
  if (command.action === "clear") {
    await clearFaults(home, command.party);
    return {};
  }
  if (command.action === "show") return getFaults(home, command.party);
  return setFaults(home, command.party, (command as { plan: FaultPlan }).plan);
}
