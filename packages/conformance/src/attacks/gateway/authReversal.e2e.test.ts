/** The authorization reversal attacks against a running lab's gateway (one lab for this file). */
import { authReversalAttacks } from "./authReversal";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-authrev");

describe("attacks on authorization reversal", () => {
  for (const attack of authReversalAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});
