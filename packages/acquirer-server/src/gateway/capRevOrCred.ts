/**
 * The gateway's capture reversal, credit and credit reversal (digest 3.7): CapRevReq, CredReq or
 * CredRevReq in, its answer or a SET Error out. Receive (`capRevOrCredReceiver` + protocol's
 * receive, which makes every check and judges each item's CapToken and amounts), a repeat
 * answered from the store, then serialized with the gateway's other decisions: decide against the
 * ledger as it stands (`decideCapRevOrCreds`), place each booked item in a batch
 * (`placeCapRevOrCreds`), answer (`capRevOrCredResMessage`), record (one write: the request, its
 * items, the issuer's postings, the batch items) before the answer leaves.
 */
import {
  type CapRevOrCredKind,
  type ReadMessage,
  receiveCapRevOrCredReq,
  SetError,
  toHex,
} from "@setlab/protocol";
import { batchLedgerView, placeCapRevOrCreds } from "./batchPlacement";
import { decideCapRevOrCreds } from "./capRevOrCredDecision";
import { capRevOrCredReceiver } from "./capRevOrCredReceiver";
import { capRevOrCredResMessage } from "./capRevOrCredResMessage";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { type LifecycleDeps, type LifecycleOutcome, lifecycleErrorOutcome } from "./lifecycleRequest";

/** What happened to one request, for the shell's log. Never carries a PAN. */
export interface CapRevOrCredOutcome extends LifecycleOutcome {
  readonly kind: "answer" | "replay" | "error";
  readonly rrpid?: string;
  /** Items booked and refused in this answer (absent for a replay or an Error). */
  readonly booked?: number;
  readonly refused?: number;
}

export type CapRevOrCredDeps = LifecycleDeps;

function replayOf(
  deps: CapRevOrCredDeps,
  kind: CapRevOrCredKind,
  rrpid: string,
  fingerprint: string,
): Uint8Array {
  const seen = deps.store.capRevOrCredRequest(rrpid);
  if (!seen) throw new SetError("unknownRRPID", "the RRPID's record is gone", "CapRevOrCredRRTags.rrpid");
  if (seen.kind !== kind || seen.requestHash !== fingerprint)
    throw new SetError(
      "unknownRRPID",
      "this RRPID already answered a different request",
      "CapRevOrCredRRTags.rrpid",
    );
  return seen.response;
}

export async function handleCapRevOrCred(
  deps: CapRevOrCredDeps,
  kind: CapRevOrCredKind,
  read: ReadMessage,
): Promise<CapRevOrCredOutcome> {
  const { p, store } = deps;
  let keys: GatewayBrandKeys | undefined;
  let ids: Pick<CapRevOrCredOutcome, "rrpid" | "brand" | "merchantID"> = {};
  try {
    const at = p.now();
    const message = read.wrapper.message;
    if (
      message.type !== "captureReversalRequest" &&
      message.type !== "creditRequest" &&
      message.type !== "creditReversalRequest"
    )
      throw new Error("handleCapRevOrCred takes a CapRevReq, CredReq or CredRevReq");
    if (read.wrapper.messageHeader.rrpid) ids = { rrpid: toHex(read.wrapper.messageHeader.rrpid) };
    keys = keysForEnvelope(message.value.value.envelope, deps.keys);
    const brandKeys = keys;
    const received = await receiveCapRevOrCredReq(
      p,
      kind,
      read,
      capRevOrCredReceiver(kind, brandKeys, deps.settings, (rrpid) => store.capRevOrCredRequest(rrpid), at),
    );
    const rrpid = toHex(received.data.capRevOrCredRRTags.rrpid);
    ids = { rrpid, brand: brandKeys.brand, merchantID: received.merID };
    if (received.repeat)
      return {
        ...ids,
        response: replayOf(deps, kind, rrpid, received.fingerprint),
        kind: "replay",
        reason: "repeated request",
      };
    return await deps.queue.run(async () => {
      // A twin of this request answered while it waited gets that answer.
      if (store.capRevOrCredRequest(rrpid))
        return {
          ...ids,
          response: replayOf(deps, kind, rrpid, received.fingerprint),
          kind: "replay" as const,
        };
      const decided = decideCapRevOrCreds(kind, received.items, received.merID, brandKeys.brand, {
        authorization: (authRRPID) => store.authorization(authRRPID),
        capture: (authRRPID) => store.captureStanding(authRRPID),
      });
      const { decisions, placement } = placeCapRevOrCreds(
        decided,
        received.merID,
        brandKeys.brand,
        batchLedgerView(store),
        at,
      );
      const response = await capRevOrCredResMessage(
        p,
        kind,
        brandKeys,
        received.merchantKex.der,
        received.data,
        decisions,
      );
      const rows = decisions.flatMap((d) => (d.row ? [d.row] : []));
      await store.recordCapRevOrCred(
        {
          rrpid,
          kind,
          merchantID: received.merID,
          requestHash: received.fingerprint,
          response,
          created: at.toISOString(),
        },
        rows,
        placement,
      );
      return {
        ...ids,
        response,
        kind: "answer" as const,
        booked: rows.length,
        refused: decisions.length - rows.length,
        reason: decisions.map((d) => d.reason).join("; "),
      };
    });
  } catch (e) {
    return await lifecycleErrorOutcome(p, e, read.bytes, keys, ids);
  }
}
