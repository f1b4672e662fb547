import * as pkijs from "pkijs";
import { ContentType, Std } from "../schema/oids";
import { E, openE } from "./envelope";
import { EH } from "./extraEnvelope";
import {
  decrypterOf,
  derOf,
  expectDecryptionFailed,
  flipped,
  pinned,
  pkiFor,
  providers,
  withOpenSsl,
} from "./fixtures.test-helper";

const type = ContentType.AuthReqTBE;

describe.each(providers)("E under the %s provider", (_name, p) => {
  const t = derOf("AuthReqTBS signed");

  it("round-trips, with a fresh content key each time", async () => {
    const pki = await pkiFor(p);
    const a = await E(p, pki.gatewayKex.certificate, type, t);
    const b = await E(p, pki.gatewayKex.certificate, type, t);
    expect(await openE(p, decrypterOf(pki, "gatewayKex"), a, { contentType: type })).toEqual(t);
    expect(a.subarray(-32)).not.toEqual(b.subarray(-32));
  });

  it("writes RSAES-OAEP with explicit SHA-256 and MGF1-SHA-256, and AES-256-CBC", async () => {
    const pki = await pkiFor(p);
    const info = pkijs.ContentInfo.fromBER(new Uint8Array(await E(p, pki.gatewayKex.certificate, type, t)));
    const env = new pkijs.EnvelopedData({ schema: info.content });
    const ktri = env.recipientInfos[0].value as pkijs.KeyTransRecipientInfo;
    expect(ktri.keyEncryptionAlgorithm.algorithmId).toBe(Std.rsaesOaep);
    const params = new pkijs.RSAESOAEPParams({ schema: ktri.keyEncryptionAlgorithm.algorithmParams });
    expect(params.hashAlgorithm.algorithmId).toBe(Std.sha256);
    expect(params.maskGenAlgorithm.algorithmId).toBe(Std.mgf1);
    expect(
      new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId,
    ).toBe(Std.sha256);
    expect(env.encryptedContentInfo.contentEncryptionAlgorithm.algorithmId).toBe(Std.aes256cbc);
    expect(env.encryptedContentInfo.contentType).toBe(type);
  });

  describe("fails with the one generic error on", () => {
    it("another content type", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      await expectDecryptionFailed(
        openE(p, decrypterOf(pki, "gatewayKex"), msg, { contentType: ContentType.PI }),
      );
    });

    it("an envelope for another recipient", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.merchantKex.certificate, type, t);
      await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), msg, { contentType: type }));
    });

    it("the right certificate with the wrong private key", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      const wrong = { certificate: pki.gatewayKex.certificate, privateKey: pki.merchantKex.privateKey };
      await expectDecryptionFailed(openE(p, wrong, msg, { contentType: type }));
    });

    it("a tampered encrypted key", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      const info = pkijs.ContentInfo.fromBER(new Uint8Array(msg));
      const env = new pkijs.EnvelopedData({ schema: info.content });
      const key = (env.recipientInfos[0].value as pkijs.KeyTransRecipientInfo).encryptedKey.valueBlock
        .valueHexView;
      const at = Buffer.from(msg).indexOf(Buffer.from(key));
      await expectDecryptionFailed(
        openE(p, decrypterOf(pki, "gatewayKex"), flipped(msg, at + 10), { contentType: type }),
      );
    });

    it("a tampered last ciphertext block (bad padding)", async () => {
      const pki = await pkiFor(p);
      const msg = await E(pinned(p), pki.gatewayKex.certificate, type, t);
      await expectDecryptionFailed(
        openE(p, decrypterOf(pki, "gatewayKex"), flipped(msg, -1), { contentType: type }),
      );
    });

    it("an EH envelope (another key-transport algorithm)", async () => {
      const pki = await pkiFor(p);
      const msg = await EH(p, pki.gatewayKex.certificate, type, t);
      await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), msg, { contentType: type }));
    });

    it("something that is not an EnvelopedData", async () => {
      const pki = await pkiFor(p);
      await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), t, { contentType: type }));
    });
  });

  describe("OpenSSL interop", () => {
    it("openssl cms -decrypt opens our E", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      await withOpenSsl((o) => {
        o.file("e.der", msg);
        o.file("key.pem", pki.gatewayKex.privateKeyPem);
        o.file("cert.pem", pki.gatewayKex.certificatePem);
        o.run(
          "cms",
          "-decrypt",
          "-inform",
          "DER",
          "-in",
          "e.der",
          "-inkey",
          "key.pem",
          "-recip",
          "cert.pem",
          "-out",
          "t.der",
        );
        expect(o.read("t.der")).toEqual(t);
      });
    });

    it("we open an RSA-OAEP(SHA-256) + AES-256-CBC envelope OpenSSL made", async () => {
      const pki = await pkiFor(p);
      const msg = await withOpenSsl((o) => {
        o.file("t.der", t);
        o.file("cert.pem", pki.gatewayKex.certificatePem);
        o.run(
          ...["cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-recip", "cert.pem"],
          ...[
            "-keyopt",
            "rsa_padding_mode:oaep",
            "-keyopt",
            "rsa_oaep_md:sha256",
            "-keyopt",
            "rsa_mgf1_md:sha256",
          ],
          ...["-in", "t.der", "-out", "e.der"],
        );
        return o.read("e.der");
      });
      // OpenSSL types the encrypted content id-data; -econtent_type applies to signing only.
      expect(await openE(p, decrypterOf(pki, "gatewayKex"), msg, { contentType: Std.data })).toEqual(t);
      await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), msg, { contentType: type }));
    });

    it("we refuse an OpenSSL envelope with SHA-1 OAEP (the library defaults)", async () => {
      const pki = await pkiFor(p);
      const msg = await withOpenSsl((o) => {
        o.file("t.der", t);
        o.file("cert.pem", pki.gatewayKex.certificatePem);
        o.run(
          ...["cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-recip", "cert.pem"],
          ...["-keyopt", "rsa_padding_mode:oaep", "-in", "t.der", "-out", "e.der"],
        );
        return o.read("e.der");
      });
      await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), msg, { contentType: Std.data }));
    });
  });
});
