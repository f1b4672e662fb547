/** The batch attacks against a running lab's gateway (one lab for this file). */
import { batchAttacks } from "./batch";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-batch");

describe("attacks on settlement batches", () => {
  for (const attack of batchAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});
