export type { Attack, AttackCategory, AttackOutcome, AttackTarget } from "./attacks/attack";
export { attackCatalog } from "./attacks/catalog";
