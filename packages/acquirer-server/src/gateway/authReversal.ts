/**
 * The gateway's authorization reversal (digest 3.7): AuthRevReq in, AuthRevRes or SET Error out.
 * Receive (`authRevReqReceiver` + protocol's `receiveAuthRevReq`, which makes every check and
 * judges the original authorization, the CapToken and the new amount), a repeat answered from the
 * store, then serialized with the gateway's other decisions: decide against the ledger
 * (`decideAuthReversal`), answer (`authRevResMessage`), record (one write: the request and the
 * issuer's hold shrunk or released) before the answer leaves.
 */
import { type ReadMessage, receiveAuthRevReq, SetError, toHex } from "@setlab/protocol";
import type { GatewayStore } from "../store/gatewayStore";
import { decideAuthReversal } from "./authReversalDecision";
import { authRevReqReceiver } from "./authRevReqReceiver";
import { authRevResMessage } from "./authRevResMessage";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { type LifecycleDeps, type LifecycleOutcome, lifecycleErrorOutcome } from "./lifecycleRequest";

/** What happened to one AuthRevReq, for the shell's log. Never carries a PAN. */
export interface AuthRevReqOutcome extends LifecycleOutcome {
  readonly kind: "authRevRes" | "replay" | "error";
  readonly authRevRRPID?: string;
  readonly authRRPID?: string;
  readonly authRevCode?: string;
}

export type AuthReversalDeps = LifecycleDeps;

function replayOf(store: GatewayStore, authRevRRPID: string, fingerprint: string): Uint8Array {
  const seen = store.authReversal(authRevRRPID);
  if (!seen) throw new SetError("unknownRRPID", "the AuthRevRRPID's record is gone", "AuthRevRRTags.rrpid");
  if (seen.requestHash !== fingerprint)
    throw new SetError(
      "unknownRRPID",
      "this AuthRevRRPID already answered a different AuthRevReq",
      "AuthRevRRTags.rrpid",
    );
  return seen.response;
}

export async function handleAuthRevReq(
  deps: AuthReversalDeps,
  read: ReadMessage,
): Promise<AuthRevReqOutcome> {
  const { p, store } = deps;
  let keys: GatewayBrandKeys | undefined;
  let ids: Pick<AuthRevReqOutcome, "authRevRRPID" | "authRRPID" | "brand" | "merchantID"> = {};
  try {
    const at = p.now();
    const message = read.wrapper.message;
    if (message.type !== "authReversalRequest") throw new Error("handleAuthRevReq takes an AuthRevReq");
    if (read.wrapper.messageHeader.rrpid) ids = { authRevRRPID: toHex(read.wrapper.messageHeader.rrpid) };
    keys = keysForEnvelope(message.value.authRevReqEnvelope, deps.keys);
    const brandKeys = keys;
    const received = await receiveAuthRevReq(
      p,
      read,
      authRevReqReceiver(
        brandKeys,
        deps.settings,
        {
          authorization: (authRRPID) => store.authorization(authRRPID),
          answeredFingerprint: (rrpid) => store.authReversal(rrpid)?.requestHash,
        },
        at,
      ),
    );
    const authRevRRPID = toHex(received.data.authRevTags.authRevRRTags.rrpid);
    const authRRPID = toHex(received.data.authReqData.authReqItem.authTags.authRRTags.rrpid);
    ids = { authRevRRPID, authRRPID, brand: brandKeys.brand, merchantID: received.merID };
    if (received.repeat)
      return {
        ...ids,
        response: replayOf(store, authRevRRPID, received.fingerprint),
        kind: "replay",
        reason: "repeated AuthRevReq",
      };
    return await deps.queue.run(async () => {
      // A twin of this AuthRevReq answered while it waited gets that answer.
      if (store.authReversal(authRevRRPID))
        return {
          ...ids,
          response: replayOf(store, authRevRRPID, received.fingerprint),
          kind: "replay" as const,
        };
      const decision = decideAuthReversal(
        received.judged,
        received.merID,
        brandKeys.brand,
        {
          authorization: (rrpid) => store.authorization(rrpid),
          captured: (rrpid) => store.capture(rrpid) !== undefined,
        },
        at,
      );
      const response = await authRevResMessage(
        p,
        brandKeys,
        received.merchantKex.der,
        received.data,
        received.merID,
        decision,
      );
      await store.recordAuthReversal(
        {
          authRevRRPID,
          authRRPID,
          merchantID: received.merID,
          requestHash: received.fingerprint,
          authRevCode: decision.authRevCode,
          response,
          created: at.toISOString(),
        },
        decision.hold,
      );
      return {
        ...ids,
        response,
        kind: "authRevRes" as const,
        authRevCode: decision.authRevCode,
        reason: decision.reason,
      };
    });
  } catch (e) {
    return await lifecycleErrorOutcome(p, e, read.bytes, keys, ids);
  }
}
