/**
 * The AuthToken an approval carries when the purchase allows later authorizations
 * (protocol's authTokenSchedule.ts): a first authorization whose merchant asked for it
 * (SubsequentAuthInd: split shipment) or whose PIHead carries InstallRecurData, and every
 * subsequent authorization after which something is still allowed. Sealed by this gateway to
 * itself, bound to the XID, the merchant, the purchase amount and schedule, what was authorized
 * so far, and (in AuthTokenOpaque) this authorization, which names the token, and the purchase's
 * first, whose account later ones are held on. The times it records are on the clock of
 * schedules (`taken.scheduleAt`), which the later authorizations are judged by.
 */
import {
  type CryptoProvider,
  firstAuthTokenTerms,
  nextAuthTokenTerms,
  type schema,
  sealAuthToken,
  toHex,
} from "@setlab/protocol";
import type { AuthDecision } from "./authResData";
import type { GatewayBrandKeys } from "./gatewayKeys";
import type { TakenAuthReq } from "./takenAuthReq";

export async function authTokenFor(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  taken: TakenAuthReq,
  decision: AuthDecision,
  /** The AuthAmt the AuthRes approves. */
  authAmt: schema.CurrencyAmount,
): Promise<schema.AuthToken | undefined> {
  if (decision.authCode !== "approved") return undefined;
  const { outcome } = taken;
  const item = taken.data.authReqItem;
  const authRecordID = toHex(item.authTags.authRRTags.rrpid);
  const next =
    outcome.kind === "subsequent"
      ? {
          terms: nextAuthTokenTerms(outcome.token, outcome.terms, authAmt, taken.scheduleAt),
          first: outcome.opaque.firstAuthRecordID,
        }
      : outcome.kind === "account"
        ? {
            terms: firstAuthTokenTerms({
              transIDs: item.authTags.transIDs,
              purchAmt: outcome.piHead.inputs.purchAmt,
              merchantID: taken.merID,
              ...(outcome.piHead.installRecurData ? { terms: outcome.piHead.installRecurData } : {}),
              subsequentAuthInd: item.authReqPayload.subsequentAuthInd,
              authAmt,
              at: taken.scheduleAt,
            }),
            first: authRecordID,
          }
        : undefined;
  if (!next?.terms) return undefined;
  return sealAuthToken(p, { signer: keys.signer, decrypter: keys.decrypter }, next.terms, {
    authRecordID,
    firstAuthRecordID: next.first,
  });
}
