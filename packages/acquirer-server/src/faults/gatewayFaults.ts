/**
 * The gateway's fault switches as fastify hooks (docs/faults.md). Only a gateway started with
 * `SETLAB_ALLOW_FAULTS=1` builds this; without it there are no `/admin/faults` routes (404; they are
 * on the admin listener, ../adminPlugin.ts) and no hook on `POST /set`. Per request (AuthReq,
 * CapReq, ...) the plan gives a decision (faultDecision.ts):
 *   preHandler (body read, nothing processed): 503 without a body, or the "received" delay;
 *   onSend (the request's effect committed, answer not sent): the "committed" delay, then drop the
 *   connection, answer bytes that are not a MessageWrapper, or (an AuthRes only) one signed by a
 *   throwaway key.
 * The clock skew is read by the provider the gateway takes its time from (`skewedProvider`).
 * Every applied fault is one log line with the run id and the XID when known; never message bytes.
 */
import { randomBytes } from "node:crypto";
import { type CryptoProvider, schema, toHex } from "@setlab/protocol";
import { type Logger, runIdOf } from "@setlab/runtime";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AuthReqOutcome } from "../gateway/authReqOutcome";
import type { GatewayStore } from "../store/gatewayStore";
import type { AuthResForger } from "./badSignature";
import { decideFaults, type FaultDecision, type RandomSource } from "./faultDecision";
import { type GatewayFaultPlan, isEmptyPlan } from "./faultPlan";

export interface GatewayFaultsOptions {
  readonly logger: Logger;
  readonly store: GatewayStore;
  readonly forger: AuthResForger;
  readonly random: RandomSource;
}

/**
 * What the gateway did with one request on `POST /set`, as the hooks need it: the AuthReq's outcome,
 * or another message's kind and ids (a CapReq's CapRRPID; the RRPID of an AuthRevReq, CapRevReq,
 * CredReq, CredRevReq or BatchAdminReq). The "committed" faults apply to every request the gateway
 * answered; a forged signature only to an AuthRes.
 */
export type ObservedOutcome =
  | AuthReqOutcome
  | {
      readonly kind: string;
      readonly xid?: string;
      readonly capRRPID?: string;
      readonly rrpid?: string;
      readonly authRRPID?: undefined;
    };

interface PerRequest {
  readonly decision: FaultDecision;
  xid?: string;
  outcome?: ObservedOutcome;
}

const SET_PATH = "/set";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bytes of the malformed answer: 200, SET content type, and no MessageWrapper. */
export function malformedAnswer(): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from("not a MessageWrapper\n"), randomBytes(32)]));
}

/** The XID in an AuthReq's MessageWrapper header, for the log; undefined when it does not decode. */
function headerXid(body: unknown): string | undefined {
  if (!Buffer.isBuffer(body)) return undefined;
  try {
    const xid = schema.decodeMessage(new Uint8Array(body)).messageHeader.messageIDs?.xid;
    return xid ? toHex(xid) : undefined;
  } catch {
    return undefined;
  }
}

export class GatewayFaults {
  private current: GatewayFaultPlan = {};
  private readonly requests = new WeakMap<FastifyRequest, PerRequest>();

  constructor(private readonly options: GatewayFaultsOptions) {}

  get plan(): GatewayFaultPlan {
    return this.current;
  }

  setPlan(plan: GatewayFaultPlan): void {
    this.current = plan;
    this.options.logger.warn({ event: "faultPlan", plan }, "fault plan set");
  }

  clear(): void {
    this.current = {};
    this.options.logger.warn({ event: "faultPlan", plan: {} }, "fault plan cleared");
  }

  /** How far the gateway's clock runs off now, in milliseconds. */
  skewMs(): number {
    return (this.current.clockSkewSeconds ?? 0) * 1000;
  }

  /** How far the clock of AuthToken schedules runs ahead now, in milliseconds. */
  scheduleAdvanceMs(): number {
    return (this.current.scheduleAdvanceSeconds ?? 0) * 1000;
  }

  /** The server's SET route tells what the gateway did (for the log and the forged AuthRes). */
  observe(req: FastifyRequest, outcome: ObservedOutcome): void {
    const r = this.requests.get(req);
    if (!r) return;
    r.outcome = outcome;
    if (outcome.xid) r.xid = outcome.xid;
    if (this.current.clockSkewSeconds)
      this.applied(req, r, "clockSkew", { clockSkewSeconds: this.current.clockSkewSeconds });
    if (this.current.scheduleAdvanceSeconds)
      this.applied(req, r, "scheduleAdvance", {
        scheduleAdvanceSeconds: this.current.scheduleAdvanceSeconds,
      });
  }

  private applied(req: FastifyRequest, r: PerRequest, fault: string, extra: Record<string, unknown> = {}) {
    this.options.logger.warn(
      {
        event: "fault",
        fault,
        runId: runIdOf(req),
        xid: r.xid,
        ...(r.outcome ? { kind: r.outcome.kind, authRRPID: r.outcome.authRRPID } : {}),
        ...(r.outcome && "capRRPID" in r.outcome ? { capRRPID: r.outcome.capRRPID } : {}),
        ...(r.outcome && "rrpid" in r.outcome ? { rrpid: r.outcome.rrpid } : {}),
        ...extra,
      },
      `fault injected: ${fault}`,
    );
  }

  /** Add the hooks on `POST /set` to the payment plugin. Call before the routes are added. */
  hook(app: FastifyInstance): void {
    const isAuthReq = (req: FastifyRequest) => req.method === "POST" && req.routeOptions.url === SET_PATH;

    app.addHook("preHandler", async (req: FastifyRequest, reply: FastifyReply) => {
      if (!isAuthReq(req) || !Buffer.isBuffer(req.body) || isEmptyPlan(this.current)) return;
      const decision = decideFaults(this.current, this.options.random);
      const r: PerRequest = { decision, xid: headerXid(req.body) };
      this.requests.set(req, r);
      if (decision.answer === "http5xx") {
        this.applied(req, r, "http5xx");
        reply.code(503).header("content-type", "text/plain").send("");
        return reply;
      }
      if (decision.delay?.stage === "received") {
        this.applied(req, r, "delay", { delayMs: decision.delay.ms, stage: "received" });
        await sleep(decision.delay.ms);
      }
    });

    app.addHook("onSend", async (req: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
      const r = this.requests.get(req);
      if (!r?.outcome) return payload;
      const { decision } = r;
      if (decision.delay?.stage === "committed") {
        this.applied(req, r, "delay", { delayMs: decision.delay.ms, stage: "committed" });
        await sleep(decision.delay.ms);
      }
      switch (decision.answer) {
        case "drop":
          this.applied(req, r, "drop");
          req.raw.socket?.destroy();
          return payload;
        case "malformed":
          this.applied(req, r, "malformed");
          return Buffer.from(malformedAnswer());
        case "badSignature":
          return this.badSignature(req, r, payload);
        default:
          return payload;
      }
    });
  }

  private async badSignature(req: FastifyRequest, r: PerRequest, payload: unknown): Promise<unknown> {
    const outcome = r.outcome!;
    const row =
      (outcome.kind === "authRes" || outcome.kind === "replay") && outcome.authRRPID
        ? this.options.store.authorization(outcome.authRRPID)
        : undefined;
    if (!row || !Buffer.isBuffer(req.body)) {
      this.applied(req, r, "badSignature", { skipped: "the answer is not an AuthRes" });
      return payload;
    }
    try {
      const forged = await this.options.forger.forge(new Uint8Array(req.body), row);
      this.applied(req, r, "badSignature");
      return Buffer.from(forged);
    } catch (e) {
      this.applied(req, r, "badSignature", { skipped: `cannot forge: ${(e as Error).message}` });
      return payload;
    }
  }
}

/** The gateway's time source with the plan's clock skew applied (signing time, header dates, checks). */
export function skewedProvider(base: CryptoProvider, skewMs: () => number): CryptoProvider {
  return { ...base, now: () => new Date(base.now().getTime() + skewMs()) };
}
