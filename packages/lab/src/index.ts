export {
  type AttackRates,
  type AttackTargets,
  type AttackTrafficReport,
  defaultAttackRates,
  type KindReport,
  type RunningAttack,
  startAttackTraffic,
} from "./attackTraffic/attackTraffic";
export { oidBomb } from "./attackTraffic/oidBomb";
export {
  helloAndHangUp,
  helloFrame,
  type PhoneAddress,
  pairWithWrongCode,
  wrongCodeFor,
} from "./attackTraffic/pairingJunk";
export { holdSlowBody, holdSlowHeaders, type SlowBodyEnd, type SlowBodyPlan } from "./attackTraffic/slowBody";
export { fetchMessages, writeCapture } from "./capture";
export { runDemo } from "./commands/demo";
export { down } from "./commands/down";
export {
  clearFaults,
  type FaultParty,
  type FaultPlan,
  type GatewayFaultPlan,
  getFaults,
  type MerchantFaultPlan,
  setFaults,
} from "./commands/fault";
export { purchase, resolveCard } from "./commands/purchase";
export { killParty, restartParty } from "./commands/restart";
export { status } from "./commands/status";
export { up } from "./commands/up";
export { formatAmount, purchAmtOf } from "./currency";
export { runSoak, type SoakOptions } from "./soak/runSoak";
export { formatSoakReport, type SoakReport } from "./soak/soakReport";
export { consoleTrace, type Trace } from "./trace";
