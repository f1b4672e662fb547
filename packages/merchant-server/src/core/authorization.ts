/**
 * The merchant's half of authorization (digest 3.5, patent steps S42-S43 and S50-S52): AuthReqData
 * built from the verified PReq, and the checks of the gateway's answer (digest 6, "Merchant":
 * the gateway's signature, AuthTags matching the AuthReq, AuthAmt within the amount asked for).
 */
import {
  type CaptureVerdict,
  RemoteSetError,
  receiveAuthRes,
  SetError,
  type schema,
  type VerifiedPReq,
} from "@setlab/protocol";
import { answerReceiver } from "./answerReceiver";
import type { MerchantContext } from "./context";
import type { BrandConfig } from "./merchantConfig";

export function authReqDataFor(
  merchantID: string,
  authRRPID: Uint8Array,
  date: Date,
  transIDs: schema.TransIDs,
  verified: VerifiedPReq,
  authReqAmt: schema.CurrencyAmount,
  captureNow = false,
  /** A split shipment: ask the gateway for an AuthToken for the later parts. */
  subsequentAuthInd = false,
): schema.AuthReqData {
  return {
    authReqItem: {
      authTags: {
        authRRTags: { rrpid: authRRPID, merTermIDs: { merchantID }, currentDate: date },
        transIDs,
      },
      checkDigests: { hOIData: verified.hOIData, hOD2: verified.hod },
      authReqPayload: { subsequentAuthInd, authReqAmt, requestCardTypeInd: false },
    },
    captureNow,
  };
}

/** What the gateway's answer means for the order. */
export type AuthorizationResult =
  | {
      /** `partial`: approved for a positive AuthAmt below the amount asked (receiveAuthRes's verdict). */
      readonly kind: "approved" | "partial" | "declined";
      readonly data: schema.AuthResData;
      readonly baggage: schema.AuthResBaggage;
      /** A sale's capture (receiveAuthRes's `capture`), when the AuthReq asked for CaptureNow. */
      readonly capture?: CaptureVerdict;
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
      /** The gateway authorized nothing for certain (its SET Error; a gateway never reached). */
      readonly authorizedNothing: boolean;
    };

/** Never throws: an answer the merchant cannot use is a failed authorization, with the reason. */
export async function readAuthorization(
  ctx: MerchantContext,
  brand: BrandConfig,
  answer: Uint8Array,
  expected: { authRRPID: Uint8Array; transIDs: schema.TransIDs; authReqAmt: schema.CurrencyAmount },
): Promise<AuthorizationResult> {
  const { p } = ctx;
  try {
    const { data, baggage, verdict, capture } = await receiveAuthRes(
      p,
      answer,
      {
        ...expected,
        brand: brand.brandID,
        gateway: brand.gateway.certificate,
        captureNow: ctx.config.captureNow === true,
      },
      answerReceiver(ctx, brand),
    );
    const sale = capture ? { capture } : {};
    if (verdict === "approved") return { kind: "approved", data, baggage, ...sale };
    if (verdict === "declined") return { kind: "declined", data, baggage };
    if (verdict === "partial") return { kind: "partial", data, baggage, ...sale };
    const amt = data.authResPayload.authHeader.authAmt;
    const asked = expected.authReqAmt;
    return {
      kind: "failed",
      reason: `AuthAmt ${amt.amount}e${amt.amtExp10} (${amt.currency}) exceeds the ${asked.amount}e${asked.amtExp10} (${asked.currency}) asked for`,
      onWire: false,
      // The gateway's own word that it approved something: the order must not be paid again.
      authorizedNothing: false,
    };
  } catch (e) {
    if (e instanceof RemoteSetError)
      return {
        kind: "failed",
        reason: `the gateway answered with a SET Error: ${e.code}`,
        onWire: false,
        authorizedNothing: true,
      };
    if (e instanceof SetError)
      return {
        kind: "failed",
        reason: `AuthRes refused: ${e.message}`,
        onWire: true,
        authorizedNothing: false,
      };
    return {
      kind: "failed",
      reason: `AuthRes unusable: ${(e as Error).message}`,
      onWire: true,
      authorizedNothing: false,
    };
  }
}
