/** Every attack the kit knows, in report order. */
import type { Attack } from "./attack";
import { gatewayAttacks } from "./gateway";
import { inspectionAttacks } from "./inspectionRoutes";
import { merchantAndCardAttacks } from "./merchantAndCard";

export const attackCatalog: readonly Attack[] = [
  ...merchantAndCardAttacks,
  ...gatewayAttacks,
  ...inspectionAttacks,
];
