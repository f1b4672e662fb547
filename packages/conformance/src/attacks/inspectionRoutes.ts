/**
 * The inspection and admin routes from the outside (docs/threat-model.md, "Inspection and admin
 * routes"): an attacker on the same machine asks the payment listeners for what only the operator
 * may read or set: an order's details (with the cardholder's stable hashed account id and the
 * XID), its stored messages, the gateway's card id per XID, the issuer's accounts, and the fault
 * switches; then asks the admin listeners without the token and with a wrong one. Every answer
 * must be a refusal (404 on the payment listener, 401 on the admin one), and nothing may change.
 */
import { randomBytes } from "node:crypto";
import { adminFetch } from "@setlab/runtime";
import type { Attack, AttackOutcome, AttackTarget } from "./attack";
import { accountOf, createOrder, orderView } from "./toolkit/labHttp";

interface Probe {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly route: string;
  readonly body?: string;
}

/** What the adversary sends: each probe without credentials, then with a token of its own. */
async function answers(base: string, probes: readonly Probe[], expected: number): Promise<string[]> {
  const wrong = randomBytes(32).toString("base64url");
  const off: string[] = [];
  const credentials: Record<string, string>[] = [{}, { authorization: `Bearer ${wrong}` }];
  for (const headers of credentials)
    for (const p of probes) {
      const res = await fetch(`${base}${p.route}`, {
        method: p.method,
        headers: { ...headers, ...(p.body ? { "content-type": "application/json" } : {}) },
        ...(p.body ? { body: p.body } : {}),
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      if (res.status !== expected) off.push(`${p.method} ${p.route}: HTTP ${res.status}`);
    }
  return off;
}

async function faultPlans(target: AttackTarget): Promise<string> {
  const plans = await Promise.all(
    [target.merchantAdmin, target.gatewayAdmin].map(async (a) => {
      const res = await adminFetch(a, "/admin/faults");
      return res.status === 200 ? JSON.stringify(await res.json()) : `HTTP ${res.status}`;
    }),
  );
  return plans.join(" ");
}

function outcome(off: readonly string[], unchanged: boolean, what: "merchant" | "gateway"): AttackOutcome {
  return {
    refused: off.length === 0,
    ...(off.length === 0 ? { refusedBy: what, signal: "HTTP 404 / 401" } : {}),
    stateUnchanged: unchanged,
    detail:
      off.length === 0
        ? `${what}: every probe refused (404 on the payment listener, 401 on the admin listener)`
        : `${what}: answered ${off.slice(0, 4).join("; ")}${off.length > 4 ? ` and ${off.length - 4} more` : ""}`,
  };
}

export const merchantInspection: Attack = {
  id: "inspection/merchant-order-details",
  category: "inspection",
  title:
    "An outsider asks the merchant's payment listener for an order's details and messages, creates an order and sets a fault plan there, then tries the admin listener without the token and with a wrong one.",
  expected: "404 on the payment listener, 401 on the admin listener; no order created, no plan changed.",
  run: async (target) => {
    // The shop's back office creates the order the outsider goes after (it knows the id: ids are
    // sequential).
    const order = await createOrder(target, { amount: 1 });
    const before = JSON.stringify(await orderView(target, order.id));
    const plansBefore = await faultPlans(target);
    const probes: Probe[] = [
      { method: "GET", route: `/orders/${order.id}` },
      { method: "GET", route: `/orders/${order.id}/messages` },
      { method: "POST", route: "/orders", body: '{"description":"x","amount":1,"currency":392}' },
      { method: "GET", route: "/admin/faults" },
      { method: "PUT", route: "/admin/faults", body: '{"pauseAfterAuthResMs":60000}' },
      { method: "DELETE", route: "/admin/faults" },
    ];
    const off = [
      ...(await answers(target.merchantUrl, probes, 404)),
      ...(await answers(target.merchantAdmin.url, probes, 401)),
    ];
    // No order was created by the probes: the back office's next order follows directly.
    const next = await createOrder(target, { amount: 1 });
    const unchanged =
      JSON.stringify(await orderView(target, order.id)) === before &&
      Number(next.id) === Number(order.id) + 1 &&
      (await faultPlans(target)) === plansBefore;
    return outcome(off, unchanged, "merchant");
  },
};

export const gatewayInspection: Attack = {
  id: "inspection/gateway-card-ids",
  category: "inspection",
  title:
    "An outsider asks the gateway's payment listener for the authorizations of an XID (with the card id), a test card's account and the fault plan, and sets a plan, then tries the admin listener without the token and with a wrong one.",
  expected: "404 on the payment listener, 401 on the admin listener; no hold and no plan changed.",
  run: async (target) => {
    const accountBefore = JSON.stringify(await accountOf(target, "visa-approve"));
    const plansBefore = await faultPlans(target);
    const probes: Probe[] = [
      { method: "GET", route: `/admin/authorizations?xid=${randomBytes(20).toString("hex")}` },
      { method: "GET", route: "/admin/accounts/visa-approve" },
      { method: "GET", route: "/admin/faults" },
      { method: "PUT", route: "/admin/faults", body: '{"http5xxRate":1}' },
      { method: "DELETE", route: "/admin/faults" },
    ];
    const off = [
      ...(await answers(target.gatewayUrl, probes, 404)),
      ...(await answers(target.gatewayAdmin.url, probes, 401)),
    ];
    const unchanged =
      JSON.stringify(await accountOf(target, "visa-approve")) === accountBefore &&
      (await faultPlans(target)) === plansBefore;
    return outcome(off, unchanged, "gateway");
  },
};

export const inspectionAttacks: readonly Attack[] = [merchantInspection, gatewayInspection];
