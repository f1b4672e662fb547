/** Attacks aimed at the merchant's purchase endpoint and at the card through the mediator. */
import type { Attack } from "../attack";
import { downgradeAttacks } from "./downgrade";
import { errorLoopAttacks } from "./errorLoop";
import { merchantReplayAttacks } from "./merchantReplay";
import { merchantTamperAttacks } from "./merchantTamper";

export const merchantAndCardAttacks: readonly Attack[] = [
  ...merchantReplayAttacks,
  ...merchantTamperAttacks,
  ...downgradeAttacks,
  ...errorLoopAttacks,
];
