/**
 * Attack traffic at a bounded rate, for as long as it runs: the amplification body to the
 * merchant's and the gateway's /set, slow bodies held open at both, and pairing junk at the phone
 * (HELLOs that hang up, pairings with a wrong code). Each kind fires on its own schedule and never
 * has more than `maxInFlight` of itself outstanding: a party that slows down is not buried under a
 * growing backlog, and what was not sent counts as skipped. The bench runs it beside real
 * purchases (docs/performance.md, "Under attack").
 */
import { setMaxListeners } from "node:events";
import { oidBomb } from "./oidBomb";
import {
  helloAndHangUp,
  helloFrame,
  type PhoneAddress,
  pairWithWrongCode,
  wrongCodeFor,
} from "./pairingJunk";
import { holdSlowBody, type SlowBodyPlan } from "./slowBody";

export interface AttackRates {
  /** OID bombs per second to each of the merchant's and the gateway's /set. */
  readonly bombsPerSecond: number;
  /** Slow bodies held open at once at each of the merchant and the gateway. */
  readonly slowBodiesHeld: number;
  readonly slowBody: SlowBodyPlan;
  /** Connections per second to the phone that send a HELLO and hang up. */
  readonly hellosPerSecond: number;
  /** Pairings with a wrong code per second to the phone. */
  readonly wrongCodesPerSecond: number;
  /** Most of one kind outstanding at once. */
  readonly maxInFlight: number;
}

export const defaultAttackRates: AttackRates = {
  bombsPerSecond: 2,
  slowBodiesHeld: 16,
  slowBody: { announce: 256 * 1024 - 16, chunk: 1024, everyMs: 1000 },
  hellosPerSecond: 20,
  wrongCodesPerSecond: 0.5,
  maxInFlight: 16,
};

export interface AttackTargets {
  /** The merchant's and the gateway's SET endpoints (…/set). */
  readonly merchantSet: string;
  readonly gatewaySet: string;
  readonly phone: PhoneAddress;
  /** The phone's real code, so that the wrong one is surely wrong. */
  readonly pairingCode: string;
}

export interface KindReport {
  readonly sent: number;
  /** Not sent because `maxInFlight` were still outstanding. */
  readonly skipped: number;
  /** How each ended ("HTTP 200", "pairing", "closed by party after 15 s"...), counted. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** The longest any took, ms (for a slow body: how long it was held). */
  readonly maxMs: number;
}

export interface AttackTrafficReport {
  readonly seconds: number;
  readonly rates: AttackRates;
  readonly bombs: KindReport;
  readonly slowBodies: KindReport;
  readonly hellos: KindReport;
  readonly wrongCodes: KindReport;
}

class Kind {
  sent = 0;
  skipped = 0;
  maxMs = 0;
  readonly outcomes: Record<string, number> = {};
  readonly pending = new Set<Promise<void>>();

  record(outcome: string, ms: number): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    this.maxMs = Math.max(this.maxMs, ms);
  }

  /** Start one, unless `limit` are outstanding. */
  fire(limit: number, one: () => Promise<string>): void {
    if (this.pending.size >= limit) {
      this.skipped++;
      return;
    }
    this.sent++;
    const start = performance.now();
    const done: Promise<void> = one()
      .then(
        (outcome) => this.record(outcome, performance.now() - start),
        (e: Error) => this.record(`error: ${e.message.split("\n")[0]}`, performance.now() - start),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  report(): KindReport {
    return { sent: this.sent, skipped: this.skipped, outcomes: { ...this.outcomes }, maxMs: this.maxMs };
  }
}

async function postBomb(url: string, bomb: Uint8Array<ArrayBuffer>): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/set-payment" },
    body: bomb,
    signal: AbortSignal.timeout(30_000),
  });
  await res.arrayBuffer();
  return `HTTP ${res.status}`;
}

export interface RunningAttack {
  /** Stop every kind, wait for what is outstanding, and say what was sent. */
  stop(): Promise<AttackTrafficReport>;
}

export function startAttackTraffic(
  targets: AttackTargets,
  rates: AttackRates = defaultAttackRates,
): RunningAttack {
  const started = performance.now();
  const bomb = oidBomb();
  const hello = helloFrame();
  const wrongCode = wrongCodeFor(targets.pairingCode);
  const kinds = { bombs: new Kind(), slowBodies: new Kind(), hellos: new Kind(), wrongCodes: new Kind() };
  const timers: NodeJS.Timeout[] = [];
  const every = (perSecond: number, tick: () => void) => {
    if (perSecond > 0) timers.push(setInterval(tick, 1000 / perSecond));
  };
  let bombTarget = 0;
  // One bomb to each party per period: 2 x bombsPerSecond in all.
  every(2 * rates.bombsPerSecond, () =>
    kinds.bombs.fire(rates.maxInFlight, () =>
      postBomb(bombTarget++ % 2 === 0 ? targets.merchantSet : targets.gatewaySet, bomb),
    ),
  );
  every(rates.hellosPerSecond, () =>
    kinds.hellos.fire(rates.maxInFlight, async () => {
      await helloAndHangUp(targets.phone, await hello);
      return "closed by phone";
    }),
  );
  every(rates.wrongCodesPerSecond, () =>
    kinds.wrongCodes.fire(rates.maxInFlight, () => pairWithWrongCode(targets.phone, wrongCode)),
  );

  const stopping = new AbortController();
  // Every slow body listens on it; that many listeners is the plan, not a leak.
  setMaxListeners(2 * rates.slowBodiesHeld + 1, stopping.signal);
  const holders: Promise<void>[] = [];
  for (const url of [targets.merchantSet, targets.gatewaySet])
    for (let i = 0; i < rates.slowBodiesHeld; i++)
      holders.push(
        (async () => {
          while (!stopping.signal.aborted) {
            kinds.slowBodies.sent++;
            const end = await holdSlowBody(url, rates.slowBody, stopping.signal);
            const held = `${end.status ?? "no answer"}, closed by ${end.closedBy}`;
            kinds.slowBodies.record(held, end.heldMs);
            // A party that refuses at once must not turn this loop into a connection storm.
            if (end.heldMs < 250 && !stopping.signal.aborted) await new Promise((r) => setTimeout(r, 250));
          }
        })(),
      );

  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      stopping.abort();
      await Promise.all([...holders, ...Object.values(kinds).flatMap((k) => [...k.pending])]);
      return {
        seconds: (performance.now() - started) / 1000,
        rates,
        bombs: kinds.bombs.report(),
        slowBodies: kinds.slowBodies.report(),
        hellos: kinds.hellos.report(),
        wrongCodes: kinds.wrongCodes.report(),
      };
    },
  };
}
