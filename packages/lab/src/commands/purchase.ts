/**
 * `set-lab purchase`: one purchase through the running lab, the way a buyer makes it. The lab
 * plays the browser (creates the order at the shop and fetches its initiation object) and then
 * runs the mediator, which relays between the shop and the card on the phone.
 *
 * By default the mediator's own command (`set-mediator purchase`, the same `main` with the same
 * arguments) runs inside this process: a second Node start-up and a second load of the protocol
 * library cost more than the purchase itself, and none of it is SET. `separateMediator` starts it
 * as its own program, as a browser would.
 *
 * The mediator keeps its card-link bond in the Linux kernel keyring when the machine has keyctl
 * (`keyring`, default on there): the lab's first purchase pairs with the code, the later ones
 * resume the bond and ask nothing (docs/card-link.md, "Where the PC keeps a bond beyond one
 * process").
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
// The PKI reader alone, not the runtime's index: that loads the logger and the HTTP shell, which
// this process does not use, and `set-lab purchase` is timed from the command line.
import { adminHeaders, hasKeyctl, LabPki } from "@setlab/runtime/client";
import type { PurchAmt } from "../currency";
import { httpJson } from "../httpJson";
import { adminOf, LabFailure, pairingCodeOf, readState } from "../labState";
import { runNode } from "../nodeRun";
import { partyScripts } from "../paths";

export interface PurchaseOptions {
  readonly home: string;
  /** A test card's PAN or its id (e.g. visa-approve). */
  readonly card: string;
  readonly purchAmt: PurchAmt;
  readonly description?: string;
  /** `set` and `hardened` run SET; `embodiment-1` the patent's first embodiment. */
  readonly profile?: "set" | "hardened" | "embodiment-1" | "embodiment-2";
  /**
   * The buyer's answer to the order shown under the non-forward flag (profile embodiment-2); the
   * lab's buyer says yes unless told otherwise.
   */
  readonly confirm?: "yes" | "no";
  /** The unsigned PReq variant (brands that allow it). */
  readonly unsigned?: boolean;
  /**
   * A split shipment: the order's first authorization asks for this much only (in the units of
   * `purchAmt.amtExp10`), and the gateway gives an AuthToken for the rest (`set-lab authorize`).
   */
  readonly firstShipmentAmount?: number;
  /**
   * Installment or recurring terms: the shop's order states them and the buyer's mediator asks
   * the card to sign them (`--installments N`, `--recurring DAYS:YYYY-MM-DD`).
   */
  readonly terms?:
    | { readonly installments: number }
    | { readonly recurringDays: number; readonly recurringExpiry: string };
  readonly runId?: string;
  /** Start `set-mediator` as a separate process instead of running it in this one. */
  readonly separateMediator?: boolean;
  /**
   * Keep the card-link bond in the Linux keyring (`set-mediator --keyring`) so that later
   * purchases resume it; default: when keyctl is installed.
   */
  readonly keyring?: boolean;
}

/** What the mediator reports on stdout with --json. */
export interface MediatorOutcome {
  readonly outcome: string;
  readonly xid?: string;
  readonly completionCode?: string;
  readonly authCode?: string;
  readonly amount?: unknown;
  readonly reason?: string;
  readonly steps?: readonly MediatorStep[];
  readonly [k: string]: unknown;
}

export interface MediatorStep {
  readonly step: string;
  readonly from: string;
  readonly to: string;
  readonly message: string;
  readonly bytes?: number;
  readonly detail?: string;
}

export interface PurchaseResult {
  readonly runId: string;
  readonly cardId: string;
  readonly brand: string;
  readonly orderId: string;
  readonly mediator: MediatorOutcome;
  readonly mediatorExit: number;
  readonly mediatorStderr: string;
  readonly order: OrderView;
  readonly authorizations: readonly Record<string, unknown>[];
  /** False when the gateway's inspection endpoint did not answer (the gateway is down). */
  readonly gatewayAnswered: boolean;
}

export interface OrderView {
  readonly id: string;
  readonly state: string;
  readonly xid?: string;
  readonly history?: readonly { state: string; at: string; detail?: unknown }[];
  readonly [k: string]: unknown;
}

/** Map a PAN or card id to the card id and brand the PKI knows; the PAN itself goes no further. */
export function resolveCard(pkiDir: string, card: string): { id: string; brand: string } {
  const cards = LabPki.open(pkiDir).cards();
  for (const [id, data] of Object.entries(cards))
    if (id === card || data.pan === card) return { id, brand: data.brand };
  throw new LabFailure(
    `no test card "${/^\d{12,19}$/.test(card) ? `${card.slice(0, 6)}…${card.slice(-4)}` : card}" in the lab PKI (see \`set-ca show\`, cards.json)`,
  );
}

export async function purchase(options: PurchaseOptions): Promise<PurchaseResult> {
  const state = readState(path.resolve(options.home));
  const pairingCode = pairingCodeOf(state);
  const runId = options.runId ?? `run-${randomBytes(6).toString("hex")}`;
  const card = resolveCard(state.pki, options.card);
  const merchant = state.parties.merchant.url.replace(/\/$/, "");
  // The order is created and read back in the shop's back office (the merchant's admin listener);
  // the buyer's mediator reaches only the payment listener.
  const merchantAdmin = adminOf(state, "merchant");
  const headers = { "content-type": "application/json", "x-setlab-run-id": runId };
  const created = await httpJson<{ id: string | number }>(`${merchantAdmin.url}/orders`, {
    method: "POST",
    headers: { ...headers, ...adminHeaders(merchantAdmin.token) },
    body: JSON.stringify({
      description: options.description ?? "1 x SET Lab mug",
      amount: options.purchAmt.amount,
      currency: options.purchAmt.currency,
      amtExp10: options.purchAmt.amtExp10,
      brand: card.brand,
      profile: options.profile ?? "set",
      ...(options.firstShipmentAmount !== undefined
        ? { firstShipmentAmount: options.firstShipmentAmount }
        : {}),
      ...(options.terms ? { terms: options.terms } : {}),
    }),
  });
  const orderId = String(created.id);
  const phone = new URL(state.parties.phone.url);
  const args = [
    partyScripts.mediator,
    "purchase",
    "--initiation",
    `${merchant}/orders/${orderId}/initiation`,
    "--phone",
    `${phone.hostname}:${phone.port}`,
    "--card",
    card.id,
    "--json",
  ];
  if (options.unsigned) args.push("--unsigned");
  if (options.terms && "installments" in options.terms)
    args.push("--installments", String(options.terms.installments));
  else if (options.terms)
    args.push("--recurring", `${options.terms.recurringDays}:${options.terms.recurringExpiry}`);
  if (options.profile === "embodiment-2") args.push("--confirm", options.confirm ?? "yes");
  if (options.keyring ?? hasKeyctl()) args.push("--keyring");
  const run = options.separateMediator
    ? await runMediatorProcess(args, runId, pairingCode, state.pin)
    : await runMediatorHere(args, runId, pairingCode, state.pin);
  let mediator: MediatorOutcome;
  try {
    const line = run.stdout.trim().split("\n").filter(Boolean).pop() ?? "";
    mediator = JSON.parse(line) as MediatorOutcome;
  } catch {
    mediator = {
      outcome: "failed",
      reason: run.stderr.trim().split("\n").pop() ?? `mediator exited ${run.code}`,
    };
  }
  const gateway = adminOf(state, "gateway");
  // The gateway may be the party that is down: then there is nothing it recorded to show.
  let gatewayAnswered = true;
  const authorizationsOf = async (xid: string | undefined) =>
    xid
      ? httpJson<Record<string, unknown>[]>(`${gateway.url}/admin/authorizations?xid=${xid}`, {
          headers: { ...headers, ...adminHeaders(gateway.token) },
        }).catch(() => {
          gatewayAnswered = false;
          return [];
        })
      : [];
  // The two back offices are asked at once when the mediator said the XID; else the order tells it.
  const early = mediator.xid !== undefined ? authorizationsOf(mediator.xid) : undefined;
  const order = await httpJson<OrderView>(`${merchantAdmin.url}/orders/${orderId}`, {
    headers: { ...headers, ...adminHeaders(merchantAdmin.token) },
  });
  const authorizations = await (early ?? authorizationsOf(order.xid));
  return {
    runId,
    cardId: card.id,
    brand: card.brand,
    orderId,
    mediator,
    mediatorExit: run.code,
    mediatorStderr: run.stderr,
    order,
    authorizations,
    gatewayAnswered,
  };
}

interface MediatorRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `set-mediator purchase` in this process; the PIN and pairing code never reach an argument list. */
async function runMediatorHere(
  args: string[],
  runId: string,
  pairingCode: string,
  pin: string,
): Promise<MediatorRun> {
  const { main } = await import("@setlab/mediator/dist/cli");
  let stdout = "";
  let stderr = "";
  const code = await main(
    [...args.slice(1), "--run-id", runId, "--pairing-code", pairingCode, "--pin", pin],
    {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
    },
  );
  return { code, stdout, stderr };
}

/** `set-mediator purchase` as its own program; run id, pairing code and PIN go in its environment. */
function runMediatorProcess(
  args: string[],
  runId: string,
  pairingCode: string,
  pin: string,
): Promise<MediatorRun> {
  return runNode(
    args,
    { ...process.env, SETLAB_RUN_ID: runId, SETLAB_PAIRING_CODE: pairingCode, SETLAB_PIN: pin },
    60_000,
  );
}
