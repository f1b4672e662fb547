/**
 * Answer phase of an authorization reversal: the AuthRevRes for a decision, signed by the brand's
 * gateway key, sealed to the merchant key-exchange certificate the AuthRevReq carried and wrapped
 * with the request's AuthRevRRPID. An approved reduction carries the authorization as it now
 * stands: AuthResPayloadNew with the new AuthAmt, and a new CapToken for it (the old one still
 * names the old amount, which the ledger no longer allows).
 */
import {
  type CryptoProvider,
  type schema,
  sealAuthRevRes,
  sealCapToken,
  toHex,
  wrapMessage,
} from "@setlab/protocol";
import type { AuthReversalDecision } from "./authReversalDecision";
import type { GatewayBrandKeys } from "./gatewayKeys";

export async function authRevResMessage(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  merchantKexCertificate: Uint8Array,
  request: schema.AuthRevReqData,
  merID: string,
  decision: AuthReversalDecision,
): Promise<Uint8Array> {
  const { authNewAmt, authResPayload } = request;
  const { authTags } = request.authReqData.authReqItem;
  const reduced = decision.authRevCode === "approved" && (decision.hold?.to ?? 0) > 0;
  const data: schema.AuthRevResData = {
    authRevCode: decision.authRevCode,
    authRevTags: request.authRevTags,
    authNewAmt,
    ...(reduced
      ? {
          authResPayloadNew: {
            ...authResPayload,
            authHeader: { ...authResPayload.authHeader, authAmt: authNewAmt },
          },
        }
      : {}),
  };
  const baggage: schema.AuthRevResBaggage = reduced
    ? {
        capTokenNew: await sealCapToken(
          p,
          { signer: keys.signer, decrypter: keys.decrypter },
          { authRRPID: authTags.authRRTags.rrpid, authAmt: authNewAmt },
          { xid: authTags.transIDs.xid, merchantID: merID, authRecordID: toHex(authTags.authRRTags.rrpid) },
        ),
      }
    : {};
  const authRevRes = await sealAuthRevRes(p, keys.signer, merchantKexCertificate, data, baggage);
  return wrapMessage(
    { type: "authReversalResponse", value: authRevRes },
    { rrpid: request.authRevTags.authRevRRTags.rrpid },
    { date: p.now() },
  );
}
