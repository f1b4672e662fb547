import type { Attack } from "../attack";
import { runAttack } from "../runner";
import { useTestLab } from "../toolkit/labFixture";
import { pInitResOldChallC } from "./cardReplay";
import { pInitResByteFlips, pResByteFlips } from "./cardTamper";
import {
  cardholderSignsPInitRes,
  crossBrandGateway,
  foreignRoot,
  gatewayExpired,
  gatewayFuture,
  gatewayRevoked,
  merchantExpired,
  merchantFuture,
  merchantRevoked,
  merchantRevokedNoCrls,
  merchantSignatureAsGatewayKex,
} from "./certificateConfusion";
import {
  substitutionHardenedCard,
  substitutionHardenedGateway,
  substitutionSet,
} from "./gatewaySubstitution";
import { pcAltersOrder, pcLowersAmount, purchaseReplayOtherAmount } from "./mediatorPc";

/** The run seed of these tests: the byte-flip attacks sample the same offsets every time. */
const seed = 20261126;

jest.setTimeout(120_000);

const lab = useTestLab("attacks-card");

describe("one byte anywhere in what the card checks", () => {
  it("every sampled flip of a PInitRes is refused by the card; the genuine one is accepted", async () => {
    const o = await runAttack(pInitResByteFlips, lab.target, seed);
    expect(o.detail).toMatch(/all refused/);
    expect(o.detail).toMatch(/genuine PInitRes afterwards: 9000/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
  it("every sampled flip of a PRes is refused by the card; the genuine one is accepted", async () => {
    const o = await runAttack(pResByteFlips, lab.target, seed);
    expect(o.detail).toMatch(/all refused/);
    expect(o.detail).toMatch(/genuine PRes afterwards: 9000/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});

describe("replays and the PC at the card", () => {
  it("an old PInitRes (old Chall-C) is refused by the card: 6F00 challengeMismatch, then no PURCHASE", async () => {
    const o = await runAttack(pInitResOldChallC, lab.target, seed);
    expect(o.detail).not.toMatch(/SECRET IN LOGS/);
    expect(o.signal).toBe("6F00 challengeMismatch");
    expect(o.detail).toMatch(/PURCHASE 6985/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it("a replayed PURCHASE with another amount gets 6985; the same command gets the same PReq", async () => {
    const o = await runAttack(purchaseReplayOtherAmount, lab.target, seed);
    expect(o.signal).toBe("6985");
    expect(o.detail).toMatch(/same command: same PReq bytes/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it.each([pcLowersAmount, pcAltersOrder])(
    "%# the PC alters what the card signs: the merchant refuses",
    async (attack) => {
      const o = await runAttack(attack, lab.target, seed);
      expect(o.detail).not.toMatch(/SECRET IN LOGS/);
      expect(o.signal).toBe("signatureFailure");
      expect(o.stateUnchanged).toBe(true);
      expect(o.refused).toBe(true);
    },
  );
});

describe("Bella-Massacci-Paulson gateway substitution", () => {
  it("the shop asks for profile set: the card's pins still apply and it refuses the accomplice before signing", async () => {
    expect(substitutionSet.succeedsUnderSetProfile).toBeUndefined();
    const o = await runAttack(substitutionSet, lab.target, seed);
    expect(o.detail).not.toMatch(/SECRET IN LOGS/);
    expect(o.detail).toMatch(/PReqs at the rogue shop: 0/);
    expect(o.detail).toMatch(/accomplice read nothing/);
    expect(o.refusedBy).toBe("card");
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it("profile hardened: the card refuses the accomplice's gateway certificate before signing", async () => {
    const o = await runAttack(substitutionHardenedCard, lab.target, seed);
    expect(o.detail).toMatch(/PReqs at the rogue shop: 0/);
    expect(o.refusedBy).toBe("card");
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });

  it("profile hardened: the real gateway refuses a PI bound to the accomplice (thumbsMismatch)", async () => {
    const o = await runAttack(substitutionHardenedGateway, lab.target, seed);
    expect(o.detail).toMatch(/thumb checked/);
    expect(o.signal).toBe("thumbsMismatch");
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});

const cases: [Attack, string[]][] = [
  [merchantSignatureAsGatewayKex, ["invalidCertificate", "thumbsMismatch"]],
  [cardholderSignsPInitRes, ["invalidCertificate"]],
  [crossBrandGateway, ["invalidCertificate"]],
  [merchantExpired, ["expiredCertificate", "invalidCertificate"]],
  [merchantFuture, ["invalidCertificate", "expiredCertificate"]],
  [merchantRevoked, ["revokedCertificate"]],
  [merchantRevokedNoCrls, ["revokedCertificate", "invalidCertificate", "missingCertificate"]],
  [gatewayExpired, ["expiredCertificate", "invalidCertificate"]],
  [gatewayFuture, ["invalidCertificate", "expiredCertificate"]],
  [gatewayRevoked, ["revokedCertificate"]],
  [foreignRoot, ["invalidCertificate", "signatureFailure"]],
];

describe("certificate confusion at the card (rogue merchant, real mediator and card)", () => {
  it.each(cases.map(([a, c]) => [a.id, a, c] as const))("%s", async (_id, attack, codes) => {
    const o = await runAttack(attack, lab.target, seed);
    expect(o.detail).not.toMatch(/SECRET IN LOGS/);
    expect(o.detail).toMatch(/PReqs at the rogue shop: 0/);
    // The refusal is for the certificate under attack, not for missing revocation data.
    if (attack !== merchantRevokedNoCrls) expect(o.detail).not.toMatch(/no BrandCRLIdentifier/);
    expect(codes.map((c) => `6F00 ${c}`)).toContain(o.signal);
    expect(o.refusedBy).toBe("card");
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});
