/** Attacks aimed at the merchant's purchase endpoint and at the card through the mediator. */
import type { Attack } from "../attack";
import { merchantReplayAttacks } from "./merchantReplay";

export const merchantAndCardAttacks: readonly Attack[] = [...merchantReplayAttacks];
