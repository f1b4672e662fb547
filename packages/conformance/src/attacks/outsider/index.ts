/**
 * What an outside attacker on the same machine tried that the rest of the catalogue did not cover:
 * another gateway's approval, another merchant's use of a known XID, locking an order out of
 * payment, slow HTTP requests.
 */
import type { Attack } from "../attack";
import { accompliceGatewayApproval } from "./accompliceApproval";
import { strangerPInitReq, strangerPInitReqsBeforePReq, strangerUnsignedPReqDecline } from "./orderLockout";
import { slowBodies } from "./slowBodies";
import { xidSquatting } from "./xidSquatting";

export const outsiderAttacks: readonly Attack[] = [
  accompliceGatewayApproval,
  xidSquatting,
  strangerPInitReq,
  strangerPInitReqsBeforePReq,
  strangerUnsignedPReqDecline,
  slowBodies,
];
