/** Attacks aimed at the merchant's purchase endpoint and at the card through the mediator. */
import type { Attack } from "../attack";
import { amplificationAttacks } from "./amplification";
import { oldBciReplay } from "./bciReplay";
import { cardReplayAttacks } from "./cardReplay";
import { cardTamperAttacks } from "./cardTamper";
import { certificateAttacks } from "./certificateConfusion";
import { downgradeAttacks } from "./downgrade";
import { embodimentAttacks } from "./embodimentReplay";
import { errorLoopAttacks } from "./errorLoop";
import { gatewaySubstitutionAttacks } from "./gatewaySubstitution";
import { inquiryAttacks } from "./inquiry";
import { mediatorAttacks } from "./mediatorPc";
import { merchantReplayAttacks } from "./merchantReplay";
import { merchantTamperAttacks } from "./merchantTamper";

export const merchantAndCardAttacks: readonly Attack[] = [
  ...merchantReplayAttacks,
  ...cardReplayAttacks,
  ...merchantTamperAttacks,
  ...cardTamperAttacks,
  ...certificateAttacks,
  oldBciReplay,
  ...downgradeAttacks,
  ...gatewaySubstitutionAttacks,
  ...errorLoopAttacks,
  ...mediatorAttacks,
  ...amplificationAttacks,
  ...inquiryAttacks,
  ...embodimentAttacks,
];
