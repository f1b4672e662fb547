/** The capture reversal and credit attacks against a running lab's gateway (one lab for this file). */
import { capRevOrCredAttacks } from "./capRevOrCred";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-credit");

describe("attacks on capture reversal and credit", () => {
  for (const attack of capRevOrCredAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});
