/** Attacks aimed at the payment gateway, and at the merchant through the gateway's answers. */
import type { Attack } from "../attack";

export const gatewayAttacks: readonly Attack[] = [];
