/** The cardholder receives PInitRes (digest 3.3, patent steps S33-S35). */

import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import type { MerchantData } from "../schema/certExtensions";
import { asRead, bodyOf, type Incoming } from "./incoming";
import {
  type PInitExpectations,
  type VerifiedPInitRes,
  type VerifyPInitResOptions,
  verifyPInitRes,
} from "./pInit";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

/** What the cardholder sent in PInitReq and chose. */
export interface PInitResExpectations extends PInitExpectations {
  /** PInitReq's RRPID. */
  readonly rrpid: Uint8Array;
  /** The order's LID-M, when the initiation named one. */
  readonly lid_M?: Uint8Array;
}

export interface PInitResReceiver extends VerifyPInitResOptions {
  readonly trust: Trust;
}

export interface ReceivedPInitRes extends VerifiedPInitRes {
  /** The merchant certificate's merchantData, for the cardholder to see. */
  readonly merchantData: MerchantData;
}

/**
 * Every check of a PInitRes (digest 6, "Cardholder/wallet"): the message type (an Error is the
 * merchant's answer: RemoteSetError); `verifyPInitRes` (signature, merchant and gateway
 * certificates, PEThumb, Chall-C, LID-C, revocation, carried certificates); the RRPID
 * (unknownRRPID) and LID-M (unknownLID) ours; header ids against PInitResData
 * (wrapperMsgMismatch); merchantData present (invalidCertificate).
 */
export async function receivePInitRes(
  p: CryptoProvider,
  message: Incoming,
  expected: PInitResExpectations,
  receiver: PInitResReceiver,
): Promise<ReceivedPInitRes> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "purchaseInitResponse", {
    trust: receiver.trust,
    roles: ["mer"],
    brand: expected.brandID,
  });
  const verified = await verifyPInitRes(p, body, expected, receiver.trust, receiver);
  const { data, merchant } = verified;
  if (!bytesEqual(data.rrpid, expected.rrpid))
    throw new SetError(
      "unknownRRPID",
      "PInitResData.rrpid is not the RRPID of PInitReq",
      "PInitResData.rrpid",
    );
  if (expected.lid_M && (!data.transIDs.lid_M || !bytesEqual(data.transIDs.lid_M, expected.lid_M)))
    throw new SetError(
      "unknownLID",
      "PInitResData.transIDs.lid-M is not the order's LID-M",
      "PInitResData.transIDs",
    );
  checkWrapperIds(wrapper.messageHeader, protectedIdsOf(data.transIDs, data.rrpid));
  const merchantData = merchant.merchantData;
  if (!merchantData)
    throw namingCertificate(
      new SetError("invalidCertificate", "the merchant certificate has no merchantData", merchant.where),
      sha256(merchant.tbs),
    );
  return { ...verified, merchantData };
}
