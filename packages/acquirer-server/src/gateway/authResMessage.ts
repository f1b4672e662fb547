/**
 * Answer phase (patent steps S50-S51): the AuthRes for a decision on an AuthReq, signed by
 * the brand's gateway key, an approval carrying its CapToken (authResBaggage.ts) and, for a sale,
 * its capture (sale.ts), sealed to the merchant key-exchange certificate the AuthReq carried
 * (validated by `receiveAuthReq`) and wrapped with the request's ids.
 */
import { type CryptoProvider, type schema, sealAuthRes, wrapMessage } from "@setlab/protocol";
import { authResBaggageFor } from "./authResBaggage";
import { type AuthDecision, authResDataFor } from "./authResData";
import type { GatewayBrandKeys } from "./gatewayKeys";
import { isSale, saleCapResPayload } from "./sale";

export async function authResMessage(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  merchantKexCertificate: Uint8Array,
  request: schema.AuthReqData,
  merID: string,
  decision: AuthDecision,
  /** The AuthToken the approval carries (authTokenIssue.ts), when the purchase allows later authorizations. */
  authToken?: schema.AuthToken,
  /** A sale's place in its batch, which its CapResPayload states. */
  saleBatch?: { readonly batchID: number; readonly batchSequenceNum: number },
): Promise<Uint8Array> {
  const { authTags: tags, authReqPayload } = request.authReqItem;
  const data = authResDataFor(tags, authReqPayload.authReqAmt, decision);
  const authAmt = data.authResPayload.authHeader.authAmt;
  const sale = isSale(request, decision);
  const authRes = await sealAuthRes(
    p,
    keys.signer,
    merchantKexCertificate,
    // A sale is captured as it is authorized: the capture's answer rides in the AuthRes. Its
    // CapToken still comes with it, as the one thing a later credit, credit reversal or capture
    // reversal can name the capture by (a CapReq with it finds the authorization captured).
    sale
      ? {
          ...data,
          authResPayload: { ...data.authResPayload, capResPayload: saleCapResPayload(authAmt, saleBatch) },
        }
      : data,
    await authResBaggageFor(p, keys, request, merID, decision, authAmt, authToken),
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
