/** Every attack the kit knows, in report order. */
import type { Attack } from "./attack";
import { gatewayAttacks } from "./gateway";
import { inspectionAttacks } from "./inspectionRoutes";
import { localAttacks } from "./local";
import { merchantAndCardAttacks } from "./merchantAndCard";
import { outsiderAttacks } from "./outsider";

export const attackCatalog: readonly Attack[] = [
  ...merchantAndCardAttacks,
  ...gatewayAttacks,
  ...localAttacks,
  ...inspectionAttacks,
  ...outsiderAttacks,
];
