/** Splicing, certificate confusion and downgrade against a running lab (one lab for this file). */
import type { Attack } from "../attack";
import { secretsInLogs } from "../toolkit/logSecretScan";
import { certificateAttacks } from "./certificates";
import { downgradeAttacks } from "./downgrade";
import { expectRefusedByGateway } from "./expectRefused";
import { labForTests } from "./labForTests";
import { authResOfOtherMerchant, authResOfOtherTransaction, splicingAttacks } from "./splicing";

jest.setTimeout(120_000);

const target = labForTests("atk-gw-splice");

const atMerchant: readonly Attack[] = [authResOfOtherTransaction, authResOfOtherMerchant];

describe("splicing", () => {
  for (const attack of splicingAttacks)
    it(attack.id, () =>
      expectRefusedByGateway(attack, target(), atMerchant.includes(attack) ? "merchant" : "gateway"),
    );
});

describe("certificate confusion at the gateway", () => {
  for (const attack of certificateAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});

describe("downgrade", () => {
  for (const attack of downgradeAttacks) it(attack.id, () => expectRefusedByGateway(attack, target()));
});

it("no log of the lab (the second merchant's included) holds a PAN, a PANSecret or a private key", () => {
  expect(secretsInLogs(target().home, target().pki)).toEqual([]);
});
