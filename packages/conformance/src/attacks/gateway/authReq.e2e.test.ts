/** Replays, tampering, decryption oracles and error loops against a running lab's gateway (one lab for this file). */
import type { Attack } from "../attack";
import { secretsInLogs } from "../toolkit/logSecretScan";
import { decryptionOracleAttacks } from "./decryptionOracle";
import { errorLoopAttacks } from "./errorLoop";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";
import { replayAttacks } from "./replay";
import { tamperingAttacks } from "./tampering";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-replay");

const run = (attack: Attack) => expectRefusedByGateway(attack, target());

describe("replays at the gateway", () => {
  for (const attack of replayAttacks) it(attack.id, () => run(attack));
});

describe("tampering with the AuthReq", () => {
  for (const attack of tamperingAttacks) it(attack.id, () => run(attack));
});

describe("decryption oracles", () => {
  for (const attack of decryptionOracleAttacks) it(attack.id, () => run(attack));
});

describe("error loops", () => {
  for (const attack of errorLoopAttacks) it(attack.id, () => run(attack));
});

it("no log of the lab holds a PAN, a PANSecret or a private key", () => {
  expect(secretsInLogs(target().home, target().pki)).toEqual([]);
});
