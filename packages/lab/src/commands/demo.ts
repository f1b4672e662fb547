/**
 * `set-lab demo`: the whole third embodiment on this machine. Seeds a PKI, starts gateway,
 * merchant and phone as separate processes, runs purchases through the mediator (two approved,
 * one declined by the issuer), prints every step with the patent's step number, writes the
 * captured messages and a Mermaid sequence diagram, then plays the shop's back office (the first
 * approval captured in the merchant's batch and partly refunded, the other cancelled, the batch
 * settled with the gateway's report), and stops everything. With `browser`, more purchases run in
 * Chromium through the reference web shop (./browserDemo.ts) before the stop.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { BrowserPurchase } from "../browserBuyer";
import { fetchMessages, writeCapture } from "../capture";
import { formatAmount, purchAmtOf } from "../currency";
import { adminOf } from "../labState";
import { sequenceDiagram } from "../sequenceDiagram";
import type { Trace } from "../trace";
import { capRevOrCredOrderAt } from "./capRevOrCredOrder";
import { down } from "./down";
import { type PurchaseResult, purchase } from "./purchase";
import { reverseOrderAt } from "./reverseOrder";
import { captureInBatchAt, type Settlement, settleAt } from "./settle";
import { up } from "./up";

export interface DemoOptions {
  readonly home: string;
  readonly trace: Trace;
  /** Then one purchase in Chromium through the web shop and the SET extension. */
  readonly browser?: boolean;
}

export interface DemoResult {
  readonly purchases: readonly PurchaseResult[];
  /** The browser purchases (hardened SET, then the second embodiment), with `browser`. */
  readonly browserPurchases?: readonly BrowserPurchase[];
  readonly diagram: string;
  readonly captureDir: string;
  /** The batch the approved purchase was captured in, closed and settled. */
  readonly settlement?: Settlement;
}

/** The patent step each SET message belongs to (DESIGN section 2). */
export const patentStep: Record<string, string> = {
  PInitReq: "S32",
  PInitRes: "S33-S35",
  PReq: "S36-S41",
  AuthReq: "S42-S46",
  AuthRes: "S47-S51",
  PRes: "S52-S56",
};

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { trace } = options;
  const home = path.resolve(options.home);
  // A fresh run each time; the PKI is kept, since it only takes time to make.
  for (const f of [
    "merchant.sqlite",
    "gateway.sqlite",
    "web-shop.sqlite",
    "phone",
    "capture",
    "logs",
    "chromium-profile",
    "screenshots",
  ])
    for (const suffix of ["", "-wal", "-shm"])
      fs.rmSync(path.join(home, f + suffix), { recursive: true, force: true });

  trace.step(
    "lab",
    "seed the PKI and start gateway, merchant and phone as separate processes (S31: the merchant loads the gateways' certificates)",
  );
  // In the browser the phone confirms after a second, as a person would, so the panel's "confirm
  // on your phone" step can be seen (and is in the screenshots).
  const state = await up({
    home,
    log: (l) => trace.fact("started", l),
    ...(options.browser ? { phoneConfirmAfterMs: 1000 } : {}),
  });
  const purchases: PurchaseResult[] = [];
  try {
    const scenarios = [
      { card: "visa-approve", amount: "12800", currency: "JPY", what: "an approved purchase" },
      {
        card: "visa-nsf",
        amount: "4200",
        currency: "JPY",
        what: "a purchase the issuer declines (insufficient funds)",
      },
      {
        card: "mc-approve",
        amount: "3000",
        currency: "JPY",
        what: "an approved purchase the shop will cancel before it ships",
      },
    ];
    for (const s of scenarios) {
      const purchAmt = purchAmtOf(s.amount, s.currency);
      trace.step(
        "buyer",
        `S1-S4: ${s.what}: order ${formatAmount(purchAmt)} at the shop; the checkout's initiation object starts the mediator (card ${s.card})`,
      );
      const r = await purchase({
        home,
        card: s.card,
        purchAmt,
        description: "1 x SET Lab mug, gift-wrapped",
      });
      purchases.push(r);
      for (const st of r.mediator.steps ?? [])
        trace.fact(
          `${st.step} ${st.from}->${st.to}`,
          `${st.message}${st.bytes ? ` (${st.bytes} B)` : ""}${st.detail ? `: ${st.detail}` : ""}`,
        );
      for (const h of r.order.history ?? [])
        trace.fact(
          `merchant: ${h.state}`,
          typeof h.detail === "string" ? h.detail : JSON.stringify(h.detail ?? ""),
        );
      for (const a of r.authorizations) trace.fact("gateway record", JSON.stringify(a));
      trace.fact(
        "outcome",
        `${r.mediator.outcome}${r.mediator.authCode ? `, AuthCode ${r.mediator.authCode}` : ""}${r.mediator.completionCode ? `, CompletionCode ${r.mediator.completionCode}` : ""}${r.mediator.reason ? `, ${r.mediator.reason}` : ""}`,
      );
    }
    const first = purchases[0];
    const messages = await fetchMessages(adminOf(state, "merchant"), first.orderId);
    const captureDir = path.join(home, "capture");
    writeCapture(captureDir, messages);
    const diagram = path.join(home, "sequence.mmd");
    fs.writeFileSync(
      diagram,
      sequenceDiagram(messages, `${first.mediator.outcome} ${first.mediator.authCode ?? ""}`, patentStep),
    );
    trace.step("lab", "write the run's artefacts");
    trace.fact("sequence diagram", diagram);
    trace.fact("captured messages", `${messages.length} DER files with dumps in ${captureDir}`);
    const settlement = await captureAndSettle(state, purchases, trace);
    if (!options.browser) return { purchases, diagram, captureDir, ...(settlement ? { settlement } : {}) };
    const { browserDemo } = await import("./browserDemo");
    return {
      purchases,
      diagram,
      captureDir,
      ...(settlement ? { settlement } : {}),
      browserPurchases: await browserDemo(home, state, trace),
    };
  } finally {
    await down(home, (l) => trace.fact("stopped", l));
  }
}

/**
 * After the purchases, the shop's back office: the first approved purchase captured in the
 * merchant's batch (CapReq) and part of it refunded (CredReq), the last one cancelled before it
 * ships (AuthRevReq), and the batch closed and settled (BatchAdminReq, the gateway's report).
 */
async function captureAndSettle(
  state: Parameters<typeof adminOf>[0],
  purchases: readonly PurchaseResult[],
  trace: Trace,
): Promise<Settlement | undefined> {
  const approved = purchases.filter((p) => p.mediator.outcome === "approved").map((p) => Number(p.orderId));
  if (approved.length === 0) return undefined;
  const merchant = adminOf(state, "merchant");
  const [shipped, ...rest] = approved;
  const cancelled = rest.at(-1);
  trace.step("merchant", `capture order ${shipped} in its open batch (CapReq -> CapRes)`);
  const captured = await captureInBatchAt(merchant, [shipped]);
  for (const o of captured.orders)
    trace.fact(
      `order ${o.id}`,
      o.capture?.batchID !== undefined
        ? `${o.state}: batch ${o.capture.batchID}, item ${o.capture.batchSequenceNum}`
        : `${o.state}: ${o.capture?.capCode ?? o.capture?.failure ?? captured.failure ?? "no answer"}`,
    );
  trace.step("merchant", `refund 2800 JPY of order ${shipped}: one item returned (CredReq -> CredRes)`);
  const refunded = await capRevOrCredOrderAt(merchant, "refund", String(shipped), { amount: "2800" });
  const credit = refunded.authorization?.capRevOrCreds?.at(-1);
  trace.fact(`order ${shipped}`, `${refunded.state}: ${credit?.code ?? credit?.failure ?? "no answer"}`);
  if (cancelled !== undefined) {
    trace.step(
      "merchant",
      `cancel order ${cancelled} before it ships: the authorization reversed, the issuer's hold released (AuthRevReq -> AuthRevRes)`,
    );
    const reversed = await reverseOrderAt(merchant, String(cancelled));
    const r = reversed.authorization?.reversal;
    trace.fact(`order ${cancelled}`, `${reversed.state}: ${r?.authRevCode ?? r?.failure ?? "no answer"}`);
  }
  trace.step("merchant", "close the batch (BatchAdminReq -> BatchAdminRes); the gateway settles it");
  const settlement = await settleAt(merchant, adminOf(state, "gateway"));
  for (const t of settlement.batch.totals)
    trace.fact(
      `batch ${settlement.batch.batchId} ${t.brand}`,
      `sales ${t.salesCount} x, ${t.shown.sales}; credits ${t.creditCount} x, ${t.shown.credits}; net ${t.shown.net}`,
    );
  for (const line of (settlement.table ?? "").split("\n").filter((l) => l.length > 0))
    trace.fact("settlement", line);
  return settlement;
}
