/** Attacks aimed at the merchant's purchase endpoint and at the card through the mediator. */
import type { Attack } from "../attack";

export const merchantAndCardAttacks: readonly Attack[] = [];
