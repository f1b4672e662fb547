/**
 * The merchant's half of authorization (digest 3.5, patent steps S42-S43 and S50-S52): AuthReqData
 * built from the verified PReq, and the checks of the gateway's answer (digest 6, "Merchant":
 * the gateway's signature, AuthTags matching the AuthReq, AuthAmt within the amount asked for).
 */
import { bytesEqual, openAuthRes, readError, SetError, schema, type VerifiedPReq } from "@setlab/protocol";
import type { MerchantContext } from "./context";
import type { BrandConfig } from "./merchantConfig";

export function authReqDataFor(
  merchantID: string,
  authRRPID: Uint8Array,
  date: Date,
  transIDs: schema.TransIDs,
  verified: VerifiedPReq,
  authReqAmt: schema.CurrencyAmount,
): schema.AuthReqData {
  return {
    authReqItem: {
      authTags: {
        authRRTags: { rrpid: authRRPID, merTermIDs: { merchantID }, currentDate: date },
        transIDs,
      },
      checkDigests: { hOIData: verified.hOIData, hOD2: verified.hod },
      authReqPayload: { subsequentAuthInd: false, authReqAmt, requestCardTypeInd: false },
    },
    captureNow: false,
  };
}

/** What the gateway's answer means for the order. */
export type AuthorizationResult =
  | {
      readonly kind: "approved" | "declined";
      readonly data: schema.AuthResData;
      readonly baggage: schema.AuthResBaggage;
    }
  | {
      readonly kind: "failed";
      readonly reason: string;
      /**
       * True when the bytes are not an authentic answer to this AuthReq (undecodable, not an
       * AuthRes, a signature or envelope that does not open, other ids): a fault on the wire,
       * worth sending the same AuthReq again. False for the gateway's own answer (a SET Error,
       * an AuthAmt over the amount asked for).
       */
      readonly onWire: boolean;
    };

/** Never throws: an answer the merchant cannot use is a failed authorization, with the reason. */
export async function readAuthorization(
  ctx: MerchantContext,
  brand: BrandConfig,
  answer: Uint8Array,
  expected: { authRRPID: Uint8Array; xid: Uint8Array; authReqAmt: schema.CurrencyAmount },
): Promise<AuthorizationResult> {
  const { p } = ctx;
  try {
    const wrapper = schema.decodeMessage(answer, ctx.config.understoodExtensions);
    if (wrapper.message.type === "error") {
      const e = await readError(p, wrapper.message.value);
      return { kind: "failed", reason: `the gateway answered with a SET Error: ${e.code}`, onWire: false };
    }
    if (wrapper.message.type !== "authorizationResponse")
      return { kind: "failed", reason: `the gateway answered with ${wrapper.message.type}`, onWire: true };
    const { data, baggage } = await openAuthRes(
      p,
      brand.decrypter,
      wrapper.message.value,
      { ...ctx.config.trust, at: p.now() },
      { brand: brand.brandID },
    );
    const tags = data.authTags;
    schema.checkWrapperIds(
      wrapper.messageHeader,
      schema.protectedIdsOf(tags.transIDs, tags.authRRTags.rrpid),
    );
    if (!bytesEqual(tags.authRRTags.rrpid, expected.authRRPID))
      throw new SetError(
        "unknownRRPID",
        "AuthTags.authRRTags.rrpid is not our AuthReq's",
        "AuthResData.authTags",
      );
    if (!bytesEqual(tags.transIDs.xid, expected.xid))
      throw new SetError("unknownXID", "AuthTags.transIDs.xid is not our AuthReq's", "AuthResData.authTags");
    const header = data.authResPayload.authHeader;
    if (header.authCode !== "approved") return { kind: "declined", data, baggage };
    const amt = header.authAmt;
    const asked = expected.authReqAmt;
    if (amt.currency !== asked.currency || amt.amtExp10 !== asked.amtExp10 || amt.amount > asked.amount)
      return {
        kind: "failed",
        reason: `AuthAmt ${amt.amount}e${amt.amtExp10} (${amt.currency}) exceeds the ${asked.amount}e${asked.amtExp10} (${asked.currency}) asked for`,
        onWire: false,
      };
    return { kind: "approved", data, baggage };
  } catch (e) {
    if (e instanceof SetError)
      return { kind: "failed", reason: `AuthRes refused: ${e.message}`, onWire: true };
    return { kind: "failed", reason: `AuthRes unusable: ${(e as Error).message}`, onWire: true };
  }
}
