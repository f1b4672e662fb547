/** The cardholder receives InqRes (digest 3.6, digest 6 "Cardholder/wallet"). */
import { bytesEqual } from "../asn1/tlv";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { CurrencyAmount } from "../schema/common";
import type { PResData } from "../schema/purchase";
import type { CardholderRevocationContext } from "./cardholderRevocation";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkStatusOfPurchase } from "./inquiredStatus";
import { verifyPRes } from "./pRes";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

export interface InqResExpectations extends CardholderRevocationContext {
  /** The RRPID of the InqReq this InqRes answers. */
  readonly rrpid: Uint8Array;
  /** The Chall-C2 of that InqReq. */
  readonly chall_C2: Uint8Array;
  readonly xid: Uint8Array;
  readonly lid_C?: Uint8Array;
  /** The merchant signature certificate of the purchase (its PInitRes's): the InqRes must be signed with it. */
  readonly merchantCertificate: Uint8Array;
  /** The purchase's amount: the status's amounts must fit it. */
  readonly purchAmt?: CurrencyAmount;
}

/**
 * Every check of an InqRes: the message type (an Error is the merchant's answer: RemoteSetError);
 * the merchant's signature by the purchase's merchant certificate (thumbsMismatch for another),
 * of role mer chained to the pinned root, a carried BCI not older than the card's; XID
 * (unknownXID), Chall-C equal to our Chall-C2 (challengeMismatch: the purchase's PRes or an
 * earlier InqRes replayed), LID-C (unknownLID); the RRPID ours (unknownRRPID); header ids against
 * PResData (wrapperMsgMismatch); the status fits the purchase (checkStatusOfPurchase:
 * unspecifiedFailure).
 */
export async function receiveInqRes(
  p: CryptoProvider,
  message: Incoming,
  expected: InqResExpectations,
  receiver: { readonly trust: Trust },
): Promise<PResData> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "inquiryResponse", {
    trust: receiver.trust,
    roles: ["mer"],
    ...(expected.brandID !== undefined ? { brand: expected.brandID } : {}),
  });
  const data = await verifyPRes(
    p,
    body,
    {
      xid: expected.xid,
      chall_C: expected.chall_C2,
      merchantCertificate: expected.merchantCertificate,
      ...(expected.lid_C ? { lid_C: expected.lid_C } : {}),
      ...(expected.brandID !== undefined ? { brandID: expected.brandID } : {}),
      ...(expected.bciSequenceNum !== undefined ? { bciSequenceNum: expected.bciSequenceNum } : {}),
    },
    receiver.trust,
  );
  if (!bytesEqual(data.rrpid, expected.rrpid))
    throw new SetError("unknownRRPID", "PResData.rrpid is not the RRPID of InqReq", "PResData.rrpid");
  checkWrapperIds(wrapper.messageHeader, protectedIdsOf(data.transIDs, data.rrpid));
  if (expected.purchAmt) checkStatusOfPurchase(data.pResPayloadSeq, expected.purchAmt);
  return data;
}
