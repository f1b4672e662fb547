/**
 * The gateway's batch administration (digest 3.7): BatchAdminReq in, BatchAdminRes or SET Error
 * out. Receive (protocol's `receiveBatchAdminReq` makes every check), a repeat answered from the
 * store, then serialized with the captures (so no capture lands in a batch while it closes):
 * decide (`decideBatchAdmin`), answer (`batchAdminResMessage`), record (one write: the request
 * and its answer, the batch opened or closed) on disk before the answer leaves.
 */
import {
  type BatchAdminReqReceiver,
  type ReadMessage,
  receiveBatchAdminReq,
  SetError,
  toHex,
} from "@setlab/protocol";
import type { GatewayStore } from "../store/gatewayStore";
import { decideBatchAdmin } from "./batchAdminDecision";
import { batchAdminResMessage } from "./batchAdminResMessage";
import { batchLedgerView } from "./batchPlacement";
import { enrolledFor } from "./enrolledMerchants";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { type LifecycleDeps, type LifecycleOutcome, lifecycleErrorOutcome } from "./lifecycleRequest";

/** What happened to one BatchAdminReq, for the shell's log. */
export interface BatchAdminOutcome extends LifecycleOutcome {
  readonly kind: "batchAdminRes" | "replay" | "error";
  readonly rrpid?: string;
  readonly operation?: string;
  readonly batchID?: number;
  readonly batchAdminCode?: string;
}

export type BatchAdminDeps = LifecycleDeps;

function batchAdminReqReceiver(
  deps: BatchAdminDeps,
  keys: GatewayBrandKeys,
  at: Date,
): BatchAdminReqReceiver {
  return {
    brand: keys.brand,
    gatewayKex: keys.decrypter,
    trust: { ...deps.settings.trust, at },
    now: at,
    maxClockSkewMs: deps.settings.policy.maxClockSkewMs,
    enrolledMerIDs: enrolledFor(deps.settings.enrolled, keys.brand),
    answered: { fingerprintOf: (rrpid) => deps.store.batchAdminRequest(toHex(rrpid))?.requestHash },
  };
}

function replayOf(store: GatewayStore, rrpid: string, fingerprint: string): Uint8Array {
  const seen = store.batchAdminRequest(rrpid);
  if (seen?.requestHash !== fingerprint)
    throw new SetError(
      "unknownRRPID",
      "this RRPID already answered another BatchAdminReq",
      "BatchAdminRRTags.rrpid",
    );
  return seen.response;
}

export async function handleBatchAdminReq(
  deps: BatchAdminDeps,
  read: ReadMessage,
): Promise<BatchAdminOutcome> {
  const { p, store } = deps;
  let keys: GatewayBrandKeys | undefined;
  let ids: Pick<BatchAdminOutcome, "rrpid" | "brand" | "merchantID"> = {};
  try {
    const at = p.now();
    const message = read.wrapper.message;
    if (message.type !== "batchAdministrationRequest")
      throw new Error("handleBatchAdminReq takes a BatchAdminReq");
    if (read.wrapper.messageHeader.rrpid) ids = { rrpid: toHex(read.wrapper.messageHeader.rrpid) };
    keys = keysForEnvelope(message.value, deps.keys);
    const brandKeys = keys;
    const received = await receiveBatchAdminReq(p, read, batchAdminReqReceiver(deps, brandKeys, at));
    const rrpid = toHex(received.data.batchAdminRRTags.rrpid);
    const merID = received.merID;
    ids = { rrpid, brand: brandKeys.brand, merchantID: merID };
    if (received.repeat)
      return {
        ...ids,
        response: replayOf(store, rrpid, received.fingerprint),
        kind: "replay",
        reason: "repeated",
      };
    return await deps.queue.run(async () => {
      if (store.batchAdminRequest(rrpid))
        return { ...ids, response: replayOf(store, rrpid, received.fingerprint), kind: "replay" as const };
      const { batchOperation: operation, batchID: asked } = received.data;
      const decision = decideBatchAdmin(operation, asked, merID, batchLedgerView(store), at);
      // The batch as it is once this decision's change is written.
      const existing = store.batch(merID, decision.batchID);
      const batch = existing
        ? { ...existing, ...(decision.close ? { closed: decision.close.at } : {}) }
        : decision.open && { merchantID: merID, batchID: decision.batchID, opened: decision.open.at };
      const report =
        decision.report && batch
          ? { batch, totals: existing ? store.batchTotals(merID, decision.batchID) : [] }
          : undefined;
      const response = await batchAdminResMessage(
        p,
        brandKeys,
        received.merchantKex.der,
        received.data,
        decision,
        report,
      );
      await store.recordBatchAdmin({
        request: {
          rrpid,
          merchantID: merID,
          requestHash: received.fingerprint,
          response,
          created: at.toISOString(),
        },
        ...(decision.open ? { open: decision.open } : {}),
        ...(decision.close ? { close: decision.close } : {}),
      });
      return {
        ...ids,
        response,
        kind: "batchAdminRes" as const,
        operation,
        batchID: decision.batchID,
        batchAdminCode: decision.code,
        reason: decision.reason,
      };
    });
  } catch (e) {
    return await lifecycleErrorOutcome(p, e, read.bytes, keys, ids);
  }
}
