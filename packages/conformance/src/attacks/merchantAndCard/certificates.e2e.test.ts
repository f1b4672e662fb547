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
  [merchantRevokedNoCrls, ["revokedCertificate", "invalidCertificate", "missingCertificate"]],
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
