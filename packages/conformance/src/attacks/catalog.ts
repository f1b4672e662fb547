/** Every attack the kit knows, in report order. */
import type { Attack } from "./attack";
import { gatewayAttacks } from "./gateway";
import { localAttacks } from "./local";
import { merchantAndCardAttacks } from "./merchantAndCard";
import { outsiderAttacks } from "./outsider";

export const attackCatalog: readonly Attack[] = [
  ...merchantAndCardAttacks,
  ...gatewayAttacks,
  ...localAttacks,
  ...outsiderAttacks,
];
