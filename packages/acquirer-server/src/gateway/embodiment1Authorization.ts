/**
 * The gateway's side of the patent's first embodiment: E1AuthReq in, E1AuthRes (or a refusal)
 * out. Every check of the request is `receiveE1AuthReq`'s (protocol); the gateway adds what only
 * it knows: the merchant enrolled with the acquirer, the AuthRRPID's record (a retry gets the stored
 * answer, nothing is decided twice), one approval per merchant and XID, and the issuer's decision.
 * The authorization is recorded with the third embodiment's, in the same table.
 */
import {
  type CryptoProvider,
  embodimentRefusal,
  isEmbodimentRefusal,
  readEmbodiment,
  receiveE1AuthReq,
  SetError,
  type schema,
  signE1AuthRes,
  type Trust,
  toHex,
} from "@setlab/protocol";
import { decideAuthorization } from "../issuer/issuerSimulator";
import type { GatewayStore } from "../store/gatewayStore";
import { approvalsOfMerchant } from "./authorizationDecision";
import type { AuthorizationPolicy } from "./authorizationPolicy";
import { recordOf } from "./authorizationRecord";
import type { AuthReqOutcome } from "./authReqOutcome";
import type { AuthDecision } from "./authResData";
import { type EnrolledMerchants, enrolledFor } from "./enrolledMerchants";
import { type GatewayBrandKeys, keysForEnvelope } from "./gatewayKeys";
import { replayOf } from "./replay";
import type { SerialQueue } from "./serialQueue";

export interface E1GatewayParts {
  readonly p: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  readonly trust: Omit<Trust, "at">;
  readonly store: GatewayStore;
  readonly enrolled: EnrolledMerchants;
  readonly maxClockSkewMs?: number;
  readonly queue: SerialQueue;
  readonly approvalCode: () => string;
  /** How long a hold lives (AuthorizationPolicy), as for the third embodiment's authorizations. */
  readonly lifetimes: Pick<AuthorizationPolicy, "holdLifetimeMs" | "partialHoldLifetimeMs">;
}

/** Never throws; a refusal is never answered. */
export async function handleE1AuthReq(g: E1GatewayParts, bytes: Uint8Array): Promise<AuthReqOutcome> {
  const request = new Uint8Array(bytes);
  if (isEmbodimentRefusal(request))
    return { response: new Uint8Array(0), kind: "dropped", reason: "refusal" };
  let ids: Pick<AuthReqOutcome, "xid" | "authRRPID" | "brand" | "merchantID"> = {};
  try {
    const at = g.p.now();
    const wrapper = readEmbodiment(request);
    if (wrapper.message.type !== "e1AuthReq")
      throw new SetError(
        "messageNotSupported",
        `a gateway does not take ${wrapper.message.type}`,
        "EmbodimentWrapper.message",
      );
    const keys = keysForEnvelope(wrapper.message.value, g.keys);
    const received = await receiveE1AuthReq(g.p, wrapper, {
      decrypter: keys.decrypter,
      trust: { ...g.trust, at },
      now: at,
      maxClockSkewMs: g.maxClockSkewMs,
      answered: { fingerprintOf: (rrpid) => g.store.authorization(toHex(rrpid))?.requestHash },
    });
    const merID = received.merchant.merchantData?.merID;
    ids = {
      xid: toHex(received.data.xid),
      authRRPID: toHex(received.data.authRRPID),
      brand: keys.brand,
      ...(merID ? { merchantID: merID } : {}),
    };
    if (received.merchant.brand !== keys.brand)
      throw new SetError("invalidCertificate", "the merchant certificate is of another brand", "E1AuthReq");
    if (!merID || !enrolledFor(g.enrolled, keys.brand).includes(merID))
      throw new SetError(
        "invalidCertificate",
        "the merchant is not enrolled with this acquirer",
        "E1AuthReq",
      );
    return await g.queue.run(async () => {
      const seen = g.store.authorization(ids.authRRPID!);
      if (seen) return { ...ids, ...replayOf(seen, received.fingerprint) };
      const amount = received.data.purchAmt;
      // No instalments in this embodiment: one approval per merchant and XID.
      const approvedBefore = approvalsOfMerchant(g.store.authorizationsByXid(ids.xid!), merID) > 0;
      let decision: AuthDecision;
      if (approvedBefore)
        decision = { authCode: "duplicateAuthorization", hold: 0, reason: "the XID is already authorized" };
      else if (received.refusal) decision = { authCode: received.refusal, hold: 0, reason: received.refusal };
      else {
        const account = g.store.accountByPan(received.info.pan, at);
        const issuer = decideAuthorization(account, amount, g.approvalCode);
        decision = { ...issuer, ...(account ? { cardId: account.cardId } : {}) };
      }
      const data: schema.E1AuthResData = {
        authRRPID: received.data.authRRPID,
        xid: received.data.xid,
        authCode: decision.authCode,
        ...(decision.authCode === "approved" ? { authAmt: amount } : {}),
      };
      const response = await signE1AuthRes(g.p, keys.signer, data, g.p.now());
      await g.store.recordAuthorization(
        recordOf(
          {
            authRRPID: ids.authRRPID!,
            xid: ids.xid!,
            merchantID: merID,
            brand: keys.brand,
            amount,
            requestHash: received.fingerprint,
            at,
          },
          decision,
          response,
          g.lifetimes,
        ),
      );
      return {
        ...ids,
        response,
        kind: "authRes" as const,
        authCode: decision.authCode,
        reason: decision.reason,
      };
    });
  } catch (e) {
    const internal = !(e instanceof SetError);
    const failure = internal ? new SetError("unspecifiedFailure", "internal error") : (e as SetError);
    return {
      ...ids,
      response: embodimentRefusal(failure, g.p.now()),
      kind: "error",
      errorCode: failure.code,
      reason: internal ? (e instanceof Error ? e.message : String(e)) : failure.message,
      ...(internal ? { internal } : {}),
    };
  }
}
