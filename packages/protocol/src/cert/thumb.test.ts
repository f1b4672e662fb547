import { createHash } from "node:crypto";
import * as pkijs from "pkijs";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { createTestPki, type TestPki } from "../testing/pki";
import { parseSetCertificate } from "./setCertificate";
import { checkThumb, thumbOf } from "./thumb";

const p = nodeProvider();

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

describe("thumbs", () => {
  test("the thumb is SHA-256 over the TBSCertificate as pkijs delimits it", async () => {
    const cert = parseSetCertificate(pki.gatewayKex.certificate);
    const independent = pkijs.Certificate.fromBER(Uint8Array.from(pki.gatewayKex.certificate));
    const expected = createHash("sha256").update(independent.tbsView).digest();
    expect(await thumbOf(p, cert)).toEqual(new Uint8Array(expected));
    expect(cert.tbs.length).toBeLessThan(cert.der.length);
  });

  test("checkThumb accepts the named certificate and refuses another with thumbsMismatch", async () => {
    const kex = parseSetCertificate(pki.gatewayKex.certificate);
    const sig = parseSetCertificate(pki.gatewaySig.certificate);
    const peThumb = await thumbOf(p, kex);
    await checkThumb(p, kex, peThumb);
    await expect(checkThumb(p, sig, peThumb, "PInitRes.peThumb")).rejects.toMatchObject({
      code: "thumbsMismatch",
      where: "PInitRes.peThumb",
    });
    await expect(checkThumb(p, kex, new Uint8Array(32))).rejects.toBeInstanceOf(SetError);
  });
});
