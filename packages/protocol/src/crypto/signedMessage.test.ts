import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SetError } from "../errors";
import { ContentType, Std } from "../schema/oids";
import { EK } from "./encryptedMessage";
import { derOf, flipped, pkiFor, providers, signerOf, withOpenSsl } from "./fixtures.test-helper";
import { S, SO, verifyS, verifySO } from "./signedMessage";

/** Re-encode a SignedMessage after editing its SignedData (for crafted negative cases). */
function rewrite(msg: Uint8Array, edit: (sd: pkijs.SignedData) => void): Uint8Array {
  const info = pkijs.ContentInfo.fromBER(new Uint8Array(msg));
  const sd = new pkijs.SignedData({ schema: info.content });
  edit(sd);
  const out = new pkijs.ContentInfo({ contentType: Std.signedData, content: sd.toSchema() });
  return new Uint8Array(out.toSchema().toBER());
}

const type = ContentType.PInitResData;

describe.each(providers)("S and SO under the %s provider", (_name, p) => {
  const t = derOf("PInitResData");

  it("S round-trips and reports the signer and every certificate sent", async () => {
    const pki = await pkiFor(p);
    const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
    const v = await verifyS(p, msg, { contentType: type });
    expect(v.content).toEqual(t);
    expect(v.signerCertificate).toEqual(pki.merchantSig.certificate);
    expect(v.certificates).toEqual([pki.merchantSig.certificate, ...pki.intermediatesOf("merchantSig")]);
  });

  it("SO round-trips against the verifier's copy of t", async () => {
    const pki = await pkiFor(p);
    const msg = await SO(p, signerOf(pki, "cardholder"), ContentType.PI_TBS, t);
    const v = await verifySO(p, msg, t, { contentType: ContentType.PI_TBS });
    expect(v.signerCertificate).toEqual(pki.cardholder.certificate);
  });

  it("a signature sent without certificates verifies with a certificate the verifier holds, and only then", async () => {
    const pki = await pkiFor(p);
    const msg = await S(p, signerOf(pki, "merchantSig"), type, t, { omitCertificates: true });
    await expect(verifyS(p, msg, { contentType: type })).rejects.toMatchObject({
      code: "missingCertificate",
    });
    await expect(
      verifyS(p, msg, { contentType: type, knownCertificates: [pki.cardholder.certificate] }),
    ).rejects.toMatchObject({ code: "missingCertificate" });
    const v = await verifyS(p, msg, {
      contentType: type,
      knownCertificates: [pki.cardholder.certificate, pki.merchantSig.certificate],
    });
    expect(v.signerCertificate).toEqual(pki.merchantSig.certificate);
    expect(v.certificates).toEqual([]);
  });

  describe("refuses", () => {
    const expectFailure = async (promise: Promise<unknown>, code: string, message?: RegExp) => {
      const e = await promise.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(SetError);
      expect(e).toMatchObject({ code });
      if (message) expect((e as Error).message).toMatch(message);
    };

    it("a signature made for another content type", async () => {
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      await expectFailure(
        verifyS(p, msg, { contentType: ContentType.PResData }),
        "signatureFailure",
        /expected/,
      );
      const so = await SO(p, signerOf(pki, "cardholder"), ContentType.PI_TBS, t);
      await expectFailure(verifySO(p, so, t, { contentType: ContentType.PIData }), "signatureFailure");
    });

    it("a relabelled eContentType the signed contentType attribute contradicts", async () => {
      const pki = await pkiFor(p);
      const msg = rewrite(await S(p, signerOf(pki, "merchantSig"), type, t), (sd) => {
        sd.encapContentInfo.eContentType = ContentType.PResData;
      });
      await expectFailure(
        verifyS(p, msg, { contentType: ContentType.PResData }),
        "signatureFailure",
        /contentType attribute/,
      );
    });

    it("tampered content", async () => {
      const pki = await pkiFor(p);
      const msg = rewrite(await S(p, signerOf(pki, "merchantSig"), type, t), (sd) => {
        sd.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: derOf("PInitResDatA") });
      });
      await expectFailure(verifyS(p, msg, { contentType: type }), "signatureFailure");
      const so = await SO(p, signerOf(pki, "cardholder"), ContentType.PI_TBS, t);
      await expectFailure(
        verifySO(p, so, derOf("PI-TBX"), { contentType: ContentType.PI_TBS }),
        "signatureFailure",
      );
    });

    it("a tampered signature value", async () => {
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      // the signature is the last field of the last SignerInfo
      await expectFailure(verifyS(p, flipped(msg, -1), { contentType: type }), "signatureFailure");
    });

    it("a signature by a key other than the certificate's", async () => {
      const pki = await pkiFor(p);
      const impostor = { certificate: pki.merchantSig.certificate, privateKey: pki.cardholder.privateKey };
      const msg = await S(p, impostor, type, t);
      await expectFailure(verifyS(p, msg, { contentType: type }), "signatureFailure");
    });

    it("more than one signer", async () => {
      const pki = await pkiFor(p);
      const msg = rewrite(await S(p, signerOf(pki, "merchantSig"), type, t), (sd) => {
        sd.signerInfos.push(sd.signerInfos[0]);
      });
      await expectFailure(verifyS(p, msg, { contentType: type }), "decodingFailure", /exactly one signer/);
    });

    it("a digest algorithm other than SHA-256", async () => {
      const pki = await pkiFor(p);
      const msg = rewrite(await S(p, signerOf(pki, "merchantSig"), type, t), (sd) => {
        sd.signerInfos[0].digestAlgorithm = new pkijs.AlgorithmIdentifier({
          algorithmId: "2.16.840.1.101.3.4.2.2",
        });
      });
      await expectFailure(verifyS(p, msg, { contentType: type }), "signatureFailure", /SHA-256/);
    });

    it("a SignedData.digestAlgorithms that does not list exactly the signer's SHA-256", async () => {
      const pki = await pkiFor(p);
      const signed = await S(p, signerOf(pki, "merchantSig"), type, t);
      const other = rewrite(signed, (sd) => {
        sd.digestAlgorithms = [new pkijs.AlgorithmIdentifier({ algorithmId: "2.16.840.1.101.3.4.2.2" })];
      });
      await expectFailure(verifyS(p, other, { contentType: type }), "signatureFailure", /digestAlgorithms/);
      const twice = rewrite(signed, (sd) => {
        sd.digestAlgorithms = [...sd.digestAlgorithms, ...sd.digestAlgorithms];
      });
      await expectFailure(verifyS(p, twice, { contentType: type }), "signatureFailure", /digestAlgorithms/);
      // The untouched signature, rewritten the same way with nothing changed, still verifies.
      await verifyS(
        p,
        rewrite(signed, () => {}),
        { contentType: type },
      );
    });

    it("S where SO is expected and the reverse", async () => {
      const pki = await pkiFor(p);
      const s = await S(p, signerOf(pki, "merchantSig"), type, t);
      const so = await SO(p, signerOf(pki, "merchantSig"), type, t);
      await expectFailure(verifyS(p, so, { contentType: type }), "decodingFailure", /must carry/);
      await expectFailure(verifySO(p, s, t, { contentType: type }), "decodingFailure", /must not carry/);
    });

    it("something that is not a SignedData", async () => {
      await expectFailure(
        verifyS(p, await EK(p, new Uint8Array(32), type, t), { contentType: type }),
        "decodingFailure",
        /not SignedData/,
      );
      await expectFailure(verifyS(p, t, { contentType: type }), "decodingFailure");
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      await expectFailure(
        verifyS(p, msg.subarray(0, msg.length - 1), { contentType: type }),
        "decodingFailure",
      );
    });
  });

  describe("OpenSSL interop", () => {
    it("OpenSSL verifies our S and SO", async () => {
      const pki = await pkiFor(p);
      const s = await S(p, signerOf(pki, "merchantSig"), type, t);
      const so = await SO(p, signerOf(pki, "cardholder"), ContentType.PI_TBS, t);
      await withOpenSsl((o) => {
        o.file("root.pem", pki.root.certificatePem);
        o.file("s.der", s);
        o.file("so.der", so);
        o.file("t.der", t);
        // SET's certificateType extension is critical and unknown to OpenSSL.
        const verify = [
          "cms",
          "-verify",
          "-inform",
          "DER",
          "-CAfile",
          "root.pem",
          "-purpose",
          "any",
          "-ignore_critical",
        ];
        o.run(...verify, "-in", "s.der", "-out", "content.der");
        expect(o.read("content.der")).toEqual(t);
        o.run(...verify, "-in", "so.der", "-content", "t.der", "-binary", "-out", "/dev/null");
        o.file("other.der", derOf("PInitResDatA"));
        expect(() => o.run(...verify, "-in", "so.der", "-content", "other.der", "-binary")).toThrow();
      });
    });

    it("we verify S and SO that OpenSSL made", async () => {
      const pki = await pkiFor(p);
      const signer = pki.merchantSig;
      const [s, so] = await withOpenSsl((o) => {
        o.file("cert.pem", signer.certificatePem);
        o.file("key.pem", signer.privateKeyPem);
        o.file("t.der", t);
        const sign = ["cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-signer", "cert.pem"];
        o.run(
          ...sign,
          "-inkey",
          "key.pem",
          "-econtent_type",
          type,
          "-nodetach",
          "-in",
          "t.der",
          "-out",
          "s.der",
        );
        o.run(...sign, "-inkey", "key.pem", "-econtent_type", type, "-in", "t.der", "-out", "so.der");
        return [o.read("s.der"), o.read("so.der")];
      });
      const v = await verifyS(p, s, { contentType: type });
      expect(v.content).toEqual(t);
      expect(v.signerCertificate).toEqual(signer.certificate);
      expect((await verifySO(p, so, t, { contentType: type })).signerCertificate).toEqual(signer.certificate);
      await expect(verifySO(p, so, derOf("x"), { contentType: type })).rejects.toMatchObject({
        code: "signatureFailure",
      });
    });
  });
});
