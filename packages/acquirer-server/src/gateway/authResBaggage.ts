/**
 * The AuthRes baggage for a decision: an approval carries a CapToken, sealed by this gateway to
 * itself (Enc(P, P, CapTokenData)), binding the authorization (AuthRRPID, AuthAmt, and in
 * tokenOpaque the XID, the merchant and the key of the gateway's authorization record). The
 * merchant keeps it with the order without being able to read it and returns it in its CapReq,
 * and in the CredReq, CredRevReq or CapRevReq that act on the capture later (a sale's too).
 * When the purchase allows later authorizations, the approval also carries an AuthToken.
 */
import { type CryptoProvider, type schema, sealCapToken, toHex } from "@setlab/protocol";
import type { AuthDecision } from "./authResData";
import type { GatewayBrandKeys } from "./gatewayKeys";

export async function authResBaggageFor(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  request: schema.AuthReqData,
  merID: string,
  decision: AuthDecision,
  /** The AuthAmt the AuthRes approves (less than asked for a partial approval). */
  authAmt: schema.CurrencyAmount,
  /** The AuthToken for a later authorization of the purchase (authTokenIssue.ts), when one is allowed. */
  authToken?: schema.AuthToken,
): Promise<schema.AuthResBaggage> {
  if (decision.authCode !== "approved") return {};
  const { authTags } = request.authReqItem;
  const capToken = await sealCapToken(
    p,
    { signer: keys.signer, decrypter: keys.decrypter },
    { authRRPID: authTags.authRRTags.rrpid, authAmt },
    {
      xid: authTags.transIDs.xid,
      merchantID: merID,
      // The authorization row's key (store/gatewayStore.ts).
      authRecordID: toHex(authTags.authRRTags.rrpid),
    },
  );
  return { capToken, ...(authToken ? { authToken } : {}) };
}
