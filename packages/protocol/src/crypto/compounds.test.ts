import { encodeDer } from "../asn1/codec";
import { EncXTBE, EncXTBS } from "../schema/extraBlock";
import { ContentType } from "../schema/oids";
import { Enc, EncK, openEnc, openEncK } from "./enc";
import { EncB, EncBX, openEncB, openEncBX } from "./encB";
import { EncX, openEncX } from "./encX";
import { E } from "./envelope";
import { sealExtra } from "./extraEnvelope";
import {
  decrypterOf,
  derOf,
  expectDecryptionFailed,
  pkiFor,
  providers,
  signerOf,
  withOpenSsl,
} from "./fixtures.test-helper";
import { S, SO, verifyS } from "./signedMessage";

const encTypes = { signed: ContentType.AuthReqTBS, enveloped: ContentType.AuthReqTBE };
const encXTypes = { signed: ContentType.CertReqTBS, enveloped: ContentType.CertReqTBEX };
const bTypes = { ...encTypes, baggage: ContentType.PI };
const bxTypes = {
  signed: ContentType.AuthResTBSX,
  enveloped: ContentType.AuthResTBEX,
  baggage: ContentType.CapTokenSeq,
};

describe.each(providers)("compound operators under the %s provider", (_name, p) => {
  const t = derOf("AuthReqData");
  const extra = derOf("PANData0");
  const baggage = derOf("PI for the gateway");

  it("Enc = E(r, S(s, t)) round-trips and names the signer", async () => {
    const pki = await pkiFor(p);
    const msg = await Enc(p, signerOf(pki, "merchantSig"), pki.gatewayKex.certificate, encTypes, t);
    const v = await openEnc(p, decrypterOf(pki, "gatewayKex"), msg, encTypes);
    expect(v.content).toEqual(t);
    expect(v.signerCertificate).toEqual(pki.merchantSig.certificate);
  });

  it("EncK = EK(k, S(s, t)) round-trips", async () => {
    const pki = await pkiFor(p);
    const key = new Uint8Array(32).fill(3);
    const types = { signed: ContentType.CertResData, enveloped: ContentType.CertResTBE };
    const msg = await EncK(p, key, signerOf(pki, "merchantSig"), types, t);
    expect((await openEncK(p, key, msg, types)).content).toEqual(t);
    await expect(openEncK(p, key, msg, { ...types, signed: ContentType.CertReqData })).rejects.toMatchObject({
      code: "decodingFailure",
      message: "decodingFailure: decryption failed",
    });
  });

  it("EncX round-trips: t and the signature inside, p in the RSA block", async () => {
    const pki = await pkiFor(p);
    const msg = await EncX(p, signerOf(pki, "cardholder"), pki.gatewayKex.certificate, encXTypes, t, extra);
    const v = await openEncX(p, decrypterOf(pki, "gatewayKex"), msg, encXTypes);
    expect(v).toMatchObject({ content: t, extra, signerCertificate: pki.cardholder.certificate });
  });

  it("EncB and EncBX round-trip, with the baggage outside the envelope", async () => {
    const pki = await pkiFor(p);
    const d = decrypterOf(pki, "gatewayKex");
    const r = pki.gatewayKex.certificate;
    const b = await EncB(p, signerOf(pki, "merchantSig"), r, bTypes, t, baggage);
    expect(b.baggage).toEqual(baggage);
    expect(await openEncB(p, d, b, bTypes)).toMatchObject({ content: t, baggage });
    const bx = await EncBX(p, signerOf(pki, "gatewaySig"), r, bxTypes, t, baggage, extra);
    expect(await openEncBX(p, d, bx, bxTypes)).toMatchObject({
      content: t,
      baggage,
      extra,
      signerCertificate: pki.gatewaySig.certificate,
    });
  });

  describe("refuses", () => {
    it("swapped baggage, as a signature failure", async () => {
      const pki = await pkiFor(p);
      const d = decrypterOf(pki, "gatewayKex");
      const r = pki.gatewayKex.certificate;
      const other = derOf("another PI");
      const b = await EncB(p, signerOf(pki, "merchantSig"), r, bTypes, t, baggage);
      await expect(openEncB(p, d, { ...b, baggage: other }, bTypes)).rejects.toMatchObject({
        code: "signatureFailure",
        where: "EncB.baggage.dd",
      });
      const bx = await EncBX(p, signerOf(pki, "merchantSig"), r, bxTypes, t, baggage, extra);
      await expect(openEncBX(p, d, { ...bx, baggage: other }, bxTypes)).rejects.toMatchObject({
        code: "signatureFailure",
        where: "EncBX.baggage.dd",
      });
    });

    it("a signature typed for another structure, with the envelope type right", async () => {
      const pki = await pkiFor(p);
      const d = decrypterOf(pki, "gatewayKex");
      const msg = await Enc(p, signerOf(pki, "merchantSig"), pki.gatewayKex.certificate, encTypes, t);
      await expect(openEnc(p, d, msg, { ...encTypes, signed: ContentType.CapReqTBS })).rejects.toMatchObject({
        code: "decodingFailure",
        message: "decodingFailure: decryption failed",
      });
      const x = await EncX(p, signerOf(pki, "cardholder"), pki.gatewayKex.certificate, encXTypes, t, extra);
      await expect(
        openEncX(p, d, x, { ...encXTypes, signed: ContentType.CertReqData }),
      ).rejects.toMatchObject({
        code: "decodingFailure",
        message: "decodingFailure: decryption failed",
      });
    });

    it("the wrong envelope type or recipient, with the one generic error", async () => {
      const pki = await pkiFor(p);
      const msg = await Enc(p, signerOf(pki, "merchantSig"), pki.gatewayKex.certificate, encTypes, t);
      await expectDecryptionFailed(
        openEnc(p, decrypterOf(pki, "gatewayKex"), msg, { ...encTypes, enveloped: ContentType.CapReqTBE }),
      );
      await expectDecryptionFailed(openEnc(p, decrypterOf(pki, "merchantKex"), msg, encTypes));
      const x = await EncX(p, signerOf(pki, "cardholder"), pki.gatewayKex.certificate, encXTypes, t, extra);
      await expectDecryptionFailed(openEncX(p, decrypterOf(pki, "merchantKex"), x, encXTypes));
    });

    it("an envelope whose plaintext is not a signature, with the generic error (no padding oracle)", async () => {
      const pki = await pkiFor(p);
      const d = decrypterOf(pki, "gatewayKex");
      const notSigned = await E(p, pki.gatewayKex.certificate, encTypes.enveloped, t);
      await expectDecryptionFailed(openEnc(p, d, notSigned, encTypes));
      const notEncXBody = await sealExtra(p, pki.gatewayKex.certificate, encXTypes.enveloped, t, {
        withHash: false,
        extra,
      });
      await expectDecryptionFailed(openEncX(p, d, notEncXBody, encXTypes));
    });

    it("a signer certificate garbled inside the envelope, with the generic error (no padding oracle)", async () => {
      const pki = await pkiFor(p);
      const signed = await S(p, signerOf(pki, "merchantSig"), encTypes.signed, t);
      const cert = pki.merchantSig.certificate;
      const at = Buffer.from(signed).indexOf(Buffer.from(cert));
      expect(at).toBeGreaterThan(0);
      const garbled = new Uint8Array(signed);
      garbled[at + 4] ^= 0xff; // inside the certificate's TBSCertificate header
      const msg = await E(p, pki.gatewayKex.certificate, encTypes.enveloped, garbled);
      await expectDecryptionFailed(openEnc(p, decrypterOf(pki, "gatewayKex"), msg, encTypes));
    });

    it("EncX whose signature covers other extra data than the RSA block carries", async () => {
      const pki = await pkiFor(p);
      const signature = await SO(
        p,
        signerOf(pki, "cardholder"),
        encXTypes.signed,
        encodeDer(EncXTBS, { t, extra: derOf("other") }),
      );
      const msg = await sealExtra(
        p,
        pki.gatewayKex.certificate,
        encXTypes.enveloped,
        encodeDer(EncXTBE, { t, signature }),
        {
          withHash: false,
          extra,
        },
      );
      await expect(openEncX(p, decrypterOf(pki, "gatewayKex"), msg, encXTypes)).rejects.toMatchObject({
        code: "decodingFailure",
        message: "decodingFailure: decryption failed",
      });
    });
  });

  it("OpenSSL opens the E part of Enc and EncB, and verifies the S inside", async () => {
    const pki = await pkiFor(p);
    const r = pki.gatewayKex.certificate;
    const enc = await Enc(p, signerOf(pki, "merchantSig"), r, encTypes, t);
    const encB = await EncB(p, signerOf(pki, "merchantSig"), r, bTypes, t, baggage);
    await withOpenSsl(async (o) => {
      o.file("key.pem", pki.gatewayKex.privateKeyPem);
      o.file("cert.pem", pki.gatewayKex.certificatePem);
      o.file("root.pem", pki.root.certificatePem);
      o.file("enc.der", enc);
      o.file("encb.der", encB.envelope);
      const decrypt = ["cms", "-decrypt", "-inform", "DER", "-inkey", "key.pem", "-recip", "cert.pem"];
      o.run(...decrypt, "-in", "enc.der", "-out", "s.der");
      o.run(...decrypt, "-in", "encb.der", "-out", "sb.der");
      o.verifyCms("-in", "s.der", "-out", "t.der");
      expect(o.read("t.der")).toEqual(t);
      o.verifyCms("-in", "sb.der", "-out", "linkage.der");
      const fromUs = await verifyS(p, o.read("sb.der"), { contentType: bTypes.signed });
      expect(o.read("linkage.der")).toEqual(fromUs.content);
    });
  });
});
