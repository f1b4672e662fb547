/** The AuthToken attacks against a running lab's gateway (one lab for this file). */
import { authTokenAttacks } from "./authToken";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-authtoken");

describe("attacks on subsequent authorization (AuthToken)", () => {
  for (const attack of authTokenAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});
