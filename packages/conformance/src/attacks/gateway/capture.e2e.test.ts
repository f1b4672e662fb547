/** The capture attacks against a running lab's gateway (one lab for this file). */
import { captureAttacks } from "./capture";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-capture");

describe("attacks on capture", () => {
  for (const attack of captureAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});
