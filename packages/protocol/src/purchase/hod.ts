/** HOD = DD(HODInput): binds the order description and amount, salted so the gateway cannot guess OD. */
import { encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { DD } from "../crypto/digest";
import type { CryptoProvider } from "../crypto/provider";
import { DetachedDigest } from "../schema/common";
import { ContentType } from "../schema/oids";
import { type HOD, HODInput } from "../schema/purchase";

export function computeHOD(p: CryptoProvider, input: HODInput): Promise<HOD> {
  return DD(p, encodeDer(HODInput, input), ContentType.HODInput);
}

/** Two detached digests are the same digest of the same type iff their DER is equal. */
export function sameDigest(a: DetachedDigest, b: DetachedDigest): boolean {
  return bytesEqual(encodeDer(DetachedDigest, a), encodeDer(DetachedDigest, b));
}
