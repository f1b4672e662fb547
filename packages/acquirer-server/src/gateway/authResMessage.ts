/**
 * Answer phase (patent steps S50-S51): the AuthRes for a decision on an AuthReq, signed by
 * `gateway`, sealed to the merchant key-exchange certificate the AuthReq carried (validated by
 * `receiveAuthReq`) and wrapped with the request's ids.
 */
import { type CryptoProvider, type Signer, type schema, sealAuthRes, wrapMessage } from "@setlab/protocol";
import { type AuthDecision, authResBaggageFor, authResDataFor } from "./authResData";

export async function authResMessage(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  request: schema.AuthReqData,
  decision: AuthDecision,
): Promise<Uint8Array> {
  const { authTags: tags, authReqPayload } = request.authReqItem;
  const authRes = await sealAuthRes(
    p,
    gateway,
    merchantKexCertificate,
    authResDataFor(tags, authReqPayload.authReqAmt, decision),
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
