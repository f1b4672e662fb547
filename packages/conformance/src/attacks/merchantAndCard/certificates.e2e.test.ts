import type { Attack } from "../attack";
import { startTestLab, type TestLab } from "../toolkit/labFixture";
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

jest.setTimeout(120_000);

let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab("attacks-certificates");
});
afterAll(async () => {
  await lab?.stop();
});

const cases: [Attack, string[]][] = [
  [merchantSignatureAsGatewayKex, ["invalidCertificate", "thumbsMismatch"]],
  [cardholderSignsPInitRes, ["invalidCertificate"]],
  [crossBrandGateway, ["invalidCertificate"]],
  [merchantExpired, ["expiredCertificate", "invalidCertificate"]],
  [merchantFuture, ["invalidCertificate", "expiredCertificate"]],
  [merchantRevoked, ["revokedCertificate"]],
  [gatewayExpired, ["expiredCertificate", "invalidCertificate"]],
  [gatewayFuture, ["invalidCertificate", "expiredCertificate"]],
  [gatewayRevoked, ["revokedCertificate"]],
  [foreignRoot, ["invalidCertificate", "signatureFailure"]],
];

describe("certificate confusion at the card (rogue merchant, real mediator and card)", () => {
  it.each(cases.map(([a, c]) => [a.id, a, c] as const))("%s", async (_id, attack, codes) => {
    const o = await attack.run(lab.target);
    expect(o.detail).not.toMatch(/SECRET IN LOGS/);
    expect(o.detail).toMatch(/PReqs at the rogue shop: 0/);
    expect(codes.map((c) => `6F00 ${c}`)).toContain(o.signal);
    expect(o.refusedBy).toBe("card");
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});

// KNOWN GAP, reported for a fix: the card does not require revocation status (verifyPInitRes's
// requireRevocation), so a revoked merchant that leaves out the BCI and CRLs is accepted. This
// asserts what the card does today; when the card requires revocation status, assert the refusal.
it("KNOWN GAP: a revoked merchant certificate without BCI and CRLs in PInitRes is accepted by the card", async () => {
  const o = await merchantRevokedNoCrls.run(lab.target);
  expect(o.detail).not.toMatch(/SECRET IN LOGS/);
  expect(o.detail).toMatch(/PINIT_RESPONSE 9000/);
  expect(o.refused).toBe(false);
});
