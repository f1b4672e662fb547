/**
 * Answer phase (patent steps S50-S51): the AuthRes for a decision on an AuthReq, signed by
 * the brand's gateway key, an approval carrying its CapToken (authResBaggage.ts), sealed to the merchant key-exchange certificate the AuthReq carried (validated by
 * `receiveAuthReq`) and wrapped with the request's ids.
 */
import { type CryptoProvider, type schema, sealAuthRes, wrapMessage } from "@setlab/protocol";
import { authResBaggageFor } from "./authResBaggage";
import { type AuthDecision, authResDataFor } from "./authResData";
import type { GatewayBrandKeys } from "./gatewayKeys";

export async function authResMessage(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  merchantKexCertificate: Uint8Array,
  request: schema.AuthReqData,
  merID: string,
  decision: AuthDecision,
): Promise<Uint8Array> {
  const { authTags: tags, authReqPayload } = request.authReqItem;
  const authRes = await sealAuthRes(
    p,
    keys.signer,
    merchantKexCertificate,
    authResDataFor(tags, authReqPayload.authReqAmt, decision),
    await authResBaggageFor(p, keys, request, merID, decision),
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
