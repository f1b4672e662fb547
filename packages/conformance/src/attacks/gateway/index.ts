/** Attacks aimed at the payment gateway, and at the merchant through the gateway's answers. */
import type { Attack } from "../attack";
import { authReversalAttacks } from "./authReversal";
import { authTokenAttacks } from "./authToken";
import { batchAttacks } from "./batch";
import { capRevOrCredAttacks } from "./capRevOrCred";
import { captureAttacks } from "./capture";
import { certificateAttacks } from "./certificates";
import { decryptionOracleAttacks } from "./decryptionOracle";
import { downgradeAttacks } from "./downgrade";
import { errorLoopAttacks } from "./errorLoop";
import { pCertResNonGateway } from "./gatewayCertificates";
import { replayAttacks } from "./replay";
import { splicingAttacks } from "./splicing";
import { tamperingAttacks } from "./tampering";

export const gatewayAttacks: readonly Attack[] = [
  ...replayAttacks,
  ...tamperingAttacks,
  ...splicingAttacks,
  ...certificateAttacks,
  ...downgradeAttacks,
  ...decryptionOracleAttacks,
  ...errorLoopAttacks,
  ...captureAttacks,
  ...batchAttacks,
  ...authTokenAttacks,
  ...authReversalAttacks,
  ...capRevOrCredAttacks,
  pCertResNonGateway,
];
