/** What a soak found (`set-lab soak`), and its text form. Pure. */
import type { GatewayFaultPlan } from "../commands/fault";
import type { FaultProfile } from "./faultProfiles";
import type { LedgerRow } from "./ledgerCheck";

export interface LostPurchase {
  readonly index: number;
  readonly orderId?: string;
  readonly xid?: string;
  readonly buyer: string;
  readonly orderState?: string;
  readonly reason: string;
}

export interface RssRow {
  /** Seconds since the soak started. */
  readonly at: number;
  /** VmRSS by process, MiB. */
  readonly mib: Record<string, number>;
}

export interface SoakReport {
  readonly format: "setlab-soak/1";
  readonly home: string;
  readonly faults: FaultProfile;
  readonly seconds: number;
  readonly rate: number;
  readonly concurrency: number;
  readonly seed?: number;
  readonly elapsedSeconds: number;
  readonly purchases: number;
  readonly completed: number;
  /** Approved for less than asked (the buyer was told partiallyApproved). */
  readonly partial: number;
  readonly declined: number;
  readonly failed: number;
  readonly lost: number;
  /** The failed ones by the buyer's outcome: refused, orderReceived, failed, error. */
  readonly failedBy: Record<string, number>;
  readonly lostPurchases: readonly LostPurchase[];
  /**
   * The back office's steps on approved orders (capture, capturePart, keep, cancel, reduce): how
   * many it was asked for, and how many left the order as the step should.
   */
  readonly backOffice: Readonly<Record<string, { readonly asked: number; readonly done: number }>>;
  /** Per card account: the issuer's holds and postings since the start against the merchant's orders. */
  readonly ledger: readonly LedgerRow[];
  /** Where they differ; empty when the money adds up. */
  readonly ledgerMismatches: readonly string[];
  /** The gateway plan of each phase, from its start (seconds). */
  readonly faultPhases: readonly { readonly at: number; readonly plan: GatewayFaultPlan }[];
  /** Faults the parties logged as applied, by party and fault. */
  readonly faultsInjected: Record<string, number>;
  readonly rss: readonly RssRow[];
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function formatSoakReport(r: SoakReport): string {
  const lines = [
    `soak: ${r.purchases} purchases in ${r.elapsedSeconds.toFixed(1)} s (asked ${r.seconds} s at ${r.rate}/s, concurrency ${r.concurrency}), faults ${r.faults}${r.seed === undefined ? "" : `, seed ${r.seed}`}`,
    `completed ${r.completed}  partial ${r.partial}  declined ${r.declined}  failed ${r.failed}  lost ${r.lost}`,
  ];
  lines.push(
    `back office (done/asked): ${Object.entries(r.backOffice)
      .map(([step, n]) => `${step} ${n.done}/${n.asked}`)
      .join(", ")}`,
  );
  lines.push(
    `ledger: ${r.ledgerMismatches.length === 0 ? "holds and postings match the orders" : "MISMATCH"} (${r.ledger.map((l) => `${l.card} held +${l.heldDelta} posted +${l.postedDelta}`).join(", ")})`,
  );
  for (const m of r.ledgerMismatches) lines.push(`LEDGER ${m}`);
  const failedBy = Object.entries(r.failedBy);
  if (failedBy.length > 0)
    lines.push(`failed by outcome: ${failedBy.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const injected = Object.entries(r.faultsInjected);
  lines.push(
    `faults injected: ${injected.length === 0 ? "none" : injected.map(([k, v]) => `${k} ${v}`).join(", ")}`,
  );
  for (const p of r.faultPhases)
    lines.push(`  from ${p.at.toFixed(0)} s: gateway plan ${JSON.stringify(p.plan)}`);
  for (const l of r.lostPurchases)
    lines.push(
      `LOST #${l.index} order ${l.orderId ?? "-"} xid ${l.xid ?? "-"}: buyer ${l.buyer}, order ${l.orderState ?? "-"}: ${l.reason}`,
    );
  const names = [...new Set(r.rss.flatMap((row) => Object.keys(row.mib)))];
  if (names.length > 0) {
    lines.push("RSS (MiB) over time:");
    lines.push(`${pad("t (s)", 7)}${names.map((n) => pad(n, 10)).join("")}`);
    for (const row of r.rss)
      lines.push(
        `${pad(row.at.toFixed(0), 7)}${names.map((n) => pad(row.mib[n] === undefined ? "-" : row.mib[n].toFixed(1), 10)).join("")}`,
      );
  }
  return lines.join("\n");
}
