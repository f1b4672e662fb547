/**
 * Answer phase (patent steps S50-S51): the AuthRes for a decision, sealed to the merchant
 * key-exchange certificate the AuthReq carried (validated by `receiveAuthReq`) and wrapped with
 * the request's ids.
 */
import { type CryptoProvider, type schema, sealAuthRes, wrapMessage } from "@setlab/protocol";
import { type AuthDecision, authResBaggageFor, authResDataFor } from "./authResData";
import type { TakenAuthReq } from "./takenAuthReq";

export async function authResMessage(
  p: CryptoProvider,
  taken: TakenAuthReq,
  decision: AuthDecision,
): Promise<Uint8Array> {
  const item = taken.data.authReqItem;
  const tags: schema.AuthTags = item.authTags;
  const authRes = await sealAuthRes(
    p,
    taken.keys.signer,
    taken.merchantKex.der,
    authResDataFor(tags, item.authReqPayload.authReqAmt, decision),
    authResBaggageFor(decision),
  );
  return wrapMessage(
    { type: "authorizationResponse", value: authRes },
    {
      rrpid: tags.authRRTags.rrpid,
      lid_C: tags.transIDs.lid_C,
      ...(tags.transIDs.lid_M ? { lid_M: tags.transIDs.lid_M } : {}),
      xid: tags.transIDs.xid,
    },
    { date: p.now() },
  );
}
