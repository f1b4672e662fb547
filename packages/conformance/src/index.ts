export type { Attack, AttackCategory, AttackOutcome, AttackTarget } from "./attacks/attack";
export { attackCatalog } from "./attacks/catalog";
export { type AttackResult, judge, runAttacks } from "./attacks/runner";
export { TargetError, targetOfLab } from "./attacks/target";
