/** The cardholder receives PRes (digest 3.6, patent steps S55-S56). */
import { bytesEqual } from "../asn1/tlv";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { PResData } from "../schema/purchase";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { type PResExpectations, verifyPRes } from "./pRes";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

export interface PResReceiveExpectations extends PResExpectations {
  /** The RRPID of the PReq this PRes answers. */
  readonly rrpid: Uint8Array;
}

/**
 * Every check of a PRes: the message type (an Error is the merchant's answer: RemoteSetError);
 * `verifyPRes` (signature by the PInitRes merchant's certificate, its chain, carried
 * certificates, XID, Chall-C, LID-C); the RRPID ours (unknownRRPID); header ids against
 * PResData (wrapperMsgMismatch).
 */
export async function receivePRes(
  p: CryptoProvider,
  message: Incoming,
  expected: PResReceiveExpectations,
  receiver: { readonly trust: Trust },
): Promise<PResData> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "purchaseResponse", {
    trust: receiver.trust,
    roles: ["mer"],
    ...(expected.brandID !== undefined ? { brand: expected.brandID } : {}),
  });
  const data = await verifyPRes(p, body, expected, receiver.trust);
  if (!bytesEqual(data.rrpid, expected.rrpid))
    throw new SetError("unknownRRPID", "PResData.rrpid is not the RRPID of PReq", "PResData.rrpid");
  checkWrapperIds(wrapper.messageHeader, protectedIdsOf(data.transIDs, data.rrpid));
  return data;
}
