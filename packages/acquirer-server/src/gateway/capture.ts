/**
 * The gateway's capture (digest 3.7): CapReq in, CapRes or SET Error out. Receive
 * (`capReqReceiver` + protocol's `receiveCapReq`, which makes every check and judges each item's
 * CapToken and amount), a repeat answered from the store, then serialized with the gateway's
 * other decisions: decide against the ledger (`decideCaptures`), place each capture in a batch
 * (`placeCaptures`), answer (`capResMessage`), record
 * (one write: the request, its captures, the holds turned into postings) before the answer leaves.
 */
import { type ReadMessage, receiveCapReq, SetError, toHex } from "@setlab/protocol";
import { batchLedgerView, placeCaptures } from "./batchPlacement";
import { capReqReceiver } from "./capReqReceiver";
import { capResMessage } from "./capResMessage";
import { decideCaptures } from "./captureDecision";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { type LifecycleDeps, type LifecycleOutcome, lifecycleErrorOutcome } from "./lifecycleRequest";

/** What happened to one CapReq, for the shell's log. Never carries a PAN. */
export interface CapReqOutcome extends LifecycleOutcome {
  readonly kind: "capRes" | "replay" | "error";
  readonly capRRPID?: string;
  /** Items captured and refused in this answer (absent for a replay or an Error). */
  readonly captured?: number;
  readonly refused?: number;
}

export type CaptureDeps = LifecycleDeps;

function replayOf(deps: CaptureDeps, capRRPID: string, fingerprint: string): Uint8Array {
  const seen = deps.store.captureRequest(capRRPID);
  if (!seen) throw new SetError("unknownRRPID", "the CapRRPID's record is gone", "CapRRTags.rrpid");
  if (seen.requestHash !== fingerprint)
    throw new SetError(
      "unknownRRPID",
      "this CapRRPID already answered a different CapReq",
      "CapRRTags.rrpid",
    );
  return seen.response;
}

export async function handleCapReq(deps: CaptureDeps, read: ReadMessage): Promise<CapReqOutcome> {
  const { p, store } = deps;
  let keys: GatewayBrandKeys | undefined;
  let ids: Pick<CapReqOutcome, "capRRPID" | "brand" | "merchantID"> = {};
  try {
    const at = p.now();
    const message = read.wrapper.message;
    if (message.type !== "captureRequest") throw new Error("handleCapReq takes a CapReq");
    if (read.wrapper.messageHeader.rrpid) ids = { capRRPID: toHex(read.wrapper.messageHeader.rrpid) };
    keys = keysForEnvelope(message.value.value.envelope, deps.keys);
    const brandKeys = keys;
    const received = await receiveCapReq(
      p,
      read,
      capReqReceiver(brandKeys, deps.settings, (rrpid) => store.captureRequest(rrpid)?.requestHash, at),
    );
    const capRRPID = toHex(received.data.capRRTags.rrpid);
    ids = { capRRPID, brand: brandKeys.brand, merchantID: received.merID };
    if (received.repeat)
      return {
        ...ids,
        response: replayOf(deps, capRRPID, received.fingerprint),
        kind: "replay",
        reason: "repeated CapReq",
      };
    return await deps.queue.run(async () => {
      // A twin of this CapReq answered while it waited gets that answer.
      if (store.captureRequest(capRRPID))
        return { ...ids, response: replayOf(deps, capRRPID, received.fingerprint), kind: "replay" as const };
      const decided = decideCaptures(
        received.items,
        received.merID,
        brandKeys.brand,
        {
          authorization: (authRRPID) => store.authorization(authRRPID),
          captured: (authRRPID) => store.capture(authRRPID) !== undefined,
        },
        at,
      );
      // Each capture booked into a batch (a closed one refuses it), in the same write.
      const { decisions, placement } = placeCaptures(
        decided,
        received.merID,
        brandKeys.brand,
        batchLedgerView(store),
        at,
      );
      const response = await capResMessage(p, brandKeys, received.merchantKex.der, received.data, decisions);
      const created = at.toISOString();
      const captures = decisions.flatMap((d) => (d.capture ? [{ ...d.capture, capRRPID, created }] : []));
      await store.recordCapture(
        { capRRPID, merchantID: received.merID, requestHash: received.fingerprint, response, created },
        captures,
        placement,
      );
      return {
        ...ids,
        response,
        kind: "capRes" as const,
        captured: captures.length,
        refused: decisions.length - captures.length,
        reason: decisions.map((d) => d.reason).join("; "),
      };
    });
  } catch (e) {
    return await lifecycleErrorOutcome(p, e, read.bytes, keys, ids);
  }
}
