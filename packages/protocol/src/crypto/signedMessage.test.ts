import { ContentType } from "../schema/oids";
import { derOf, flipped, pkiFor, providers, signerOf } from "./fixtures.test-helper";
import { S, SO, verifyS, verifySO } from "./signedMessage";

describe.each(providers)("S and SO under the %s provider", (_name, p) => {
  it("S round-trips", async () => {
    const pki = await pkiFor(p);
    const t = derOf("PInitResData");
    const msg = await S(p, signerOf(pki, "merchantSig"), ContentType.PInitResData, t);
    const v = await verifyS(p, msg, { contentType: ContentType.PInitResData });
    expect(v.content).toEqual(t);
    expect(v.signerCertificate).toEqual(pki.merchantSig.certificate);
    expect(v.certificates.length).toBe(3);
  });
  it("SO round-trips", async () => {
    const pki = await pkiFor(p);
    const t = derOf("PI-TBS");
    const msg = await SO(p, signerOf(pki, "cardholder"), ContentType.PI_TBS, t);
    const v = await verifySO(p, msg, t, { contentType: ContentType.PI_TBS });
    expect(v.signerCertificate).toEqual(pki.cardholder.certificate);
    await expect(verifySO(p, msg, flipped(t, -1), { contentType: ContentType.PI_TBS })).rejects.toThrow(
      /signatureFailure/,
    );
  });
});
