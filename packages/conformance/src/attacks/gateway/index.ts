/** Attacks aimed at the payment gateway, and at the merchant through the gateway's answers. */
import type { Attack } from "../attack";
import { replayAttacks } from "./replay";
import { tamperingAttacks } from "./tampering";

export const gatewayAttacks: readonly Attack[] = [...replayAttacks, ...tamperingAttacks];
