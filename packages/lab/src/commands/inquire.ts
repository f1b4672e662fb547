/**
 * `set-lab inquire ORDER --card ID`: the buyer asks the shop how a purchase ended (SET's
 * InqReq/InqRes), as `set-mediator inquire` does: the card on the lab's phone builds the InqReq
 * about the order's XID from its purchase memory, the mediator (run in this process) relays it to
 * the merchant's SET endpoint and the InqRes back to the card, which checks it.
 */
import * as path from "node:path";
import { adminHeaders, hasKeyctl } from "@setlab/runtime/client";
import { httpJson } from "../httpJson";
import { adminOf, LabFailure, pairingCodeOf, readState } from "../labState";
import { type MediatorOutcome, type OrderView, resolveCard } from "./purchase";

export interface InquiryResult {
  readonly orderId: string;
  readonly xid: string;
  readonly mediator: MediatorOutcome;
  readonly mediatorExit: number;
}

export async function inquire(home: string, orderId: string, cardArg: string): Promise<InquiryResult> {
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new LabFailure(`"${orderId}" is not an order number`);
  const state = readState(path.resolve(home));
  const card = resolveCard(state.pki, cardArg);
  const admin = adminOf(state, "merchant");
  const order = await httpJson<OrderView>(`${admin.url}/orders/${orderId}`, {
    headers: adminHeaders(admin.token),
  });
  if (!order.xid) throw new LabFailure(`order ${orderId} has no XID: no card has paid it`);
  const phone = new URL(state.parties.phone.url);
  const { main } = await import("@setlab/mediator/dist/cli");
  let stdout = "";
  let stderr = "";
  // The mediator takes the PIN from its environment only, and removes it from there at once.
  process.env.SETLAB_PIN = state.pin;
  let code: number;
  try {
    code = await main(
      [
        "inquire",
        "--merchant",
        `${state.parties.merchant.url.replace(/\/$/, "")}/set`,
        "--phone",
        `${phone.hostname}:${phone.port}`,
        "--card",
        card.id,
        "--xid",
        order.xid,
        "--pairing-code",
        pairingCodeOf(state),
        "--json",
        ...(hasKeyctl() ? ["--keyring"] : []),
      ],
      {
        out: (text) => {
          stdout += text;
        },
        err: (text) => {
          stderr += text;
        },
      },
    );
  } finally {
    delete process.env.SETLAB_PIN;
  }
  let mediator: MediatorOutcome;
  try {
    mediator = JSON.parse(stdout.trim().split("\n").filter(Boolean).pop() ?? "") as MediatorOutcome;
  } catch {
    mediator = { outcome: "failed", reason: stderr.trim().split("\n").pop() ?? `mediator exited ${code}` };
  }
  return { orderId, xid: order.xid, mediator, mediatorExit: code };
}
