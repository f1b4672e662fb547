import * as pkijs from "pkijs";
import { decodeDer, encodeDer } from "../asn1/codec";
import { octets } from "../asn1/primitives";
import { contentInfoOf, EnvelopedData } from "../schema/cms";
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
import type { CryptoProvider } from "./provider";

const EnvelopedMessage = contentInfoOf(EnvelopedData);

/** The node:crypto module object itself (an `import * as` would be a copy a spy cannot reach through). */
const nodeCrypto = jest.requireActual<typeof import("node:crypto")>("node:crypto");

/** Re-encode an EnvelopedMessage after editing it with our own codecs. */
function edited(msg: Uint8Array, edit: (env: EnvelopedData) => void): Uint8Array {
  const info = decodeDer(EnvelopedMessage, msg);
  edit(info.content);
  return encodeDer(EnvelopedMessage, info);
}

/** `p` with its random() calls counted (the opener draws a random content key when RSA fails). */
function counting(p: CryptoProvider): { p: CryptoProvider; draws: number[] } {
  const draws: number[] = [];
  return {
    draws,
    p: {
      ...p,
      random: (n) => {
        draws.push(n);
        return p.random(n);
      },
    },
  };
}

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

    it("an envelope edited by our own codecs with nothing changed opens (control for the edits below)", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      expect(
        await openE(
          p,
          decrypterOf(pki, "gatewayKex"),
          edited(msg, () => {}),
          { contentType: type },
        ),
      ).toEqual(t);
    });

    it("a content encryption other than AES-256-CBC with a 16-byte IV, or no encrypted content", async () => {
      const pki = await pkiFor(p);
      const d = decrypterOf(pki, "gatewayKex");
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      const aes128 = edited(msg, (env) => {
        env.encryptedContentInfo.contentEncryptionAlgorithm = {
          ...env.encryptedContentInfo.contentEncryptionAlgorithm,
          algorithm: "2.16.840.1.101.3.4.1.2",
        };
      });
      await expectDecryptionFailed(openE(p, d, aes128, { contentType: type }));
      const shortIv = edited(msg, (env) => {
        const cea = env.encryptedContentInfo.contentEncryptionAlgorithm;
        cea.parameters = encodeDer(
          octets(),
          (decodeDer(octets(), cea.parameters as Uint8Array) as Uint8Array).subarray(0, 8),
        );
      });
      await expectDecryptionFailed(openE(p, d, shortIv, { contentType: type }));
      const noParams = edited(msg, (env) => {
        env.encryptedContentInfo.contentEncryptionAlgorithm.parameters = undefined;
      });
      await expectDecryptionFailed(openE(p, d, noParams, { contentType: type }));
      const noContent = edited(msg, (env) => {
        env.encryptedContentInfo.encryptedContent = undefined;
      });
      await expectDecryptionFailed(openE(p, d, noContent, { contentType: type }));
    });

    it("key transport without its OAEP-SHA-256 parameters", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      const bare = edited(msg, (env) => {
        env.recipientInfos[0].keyEncryptionAlgorithm.parameters = undefined;
      });
      await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), bare, { contentType: type }));
    });

    it("an EnvelopedData or KeyTransRecipientInfo version other than 0", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      // 02 01 00 opens the EnvelopedData, then the KeyTransRecipientInfo inside it.
      const at = (from: number) => Buffer.from(msg).indexOf(Buffer.from([0x02, 0x01, 0x00]), from);
      const envelopeVersion = at(0);
      const recipientVersion = at(envelopeVersion + 3);
      expect(recipientVersion).toBeGreaterThan(envelopeVersion);
      for (const offset of [envelopeVersion, recipientVersion]) {
        const bumped = new Uint8Array(msg);
        bumped[offset + 2] = 2;
        await expectDecryptionFailed(openE(p, decrypterOf(pki, "gatewayKex"), bumped, { contentType: type }));
      }
    });

    it("a decrypter key that is not an RSA-OAEP SHA-256 decryption key", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      const signingKey = { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewaySig.privateKey };
      await expectDecryptionFailed(openE(p, signingKey, msg, { contentType: type }));
    });

    it("an RSA block that does not decrypt still runs the AES step, with a random key", async () => {
      const pki = await pkiFor(p);
      const msg = await E(p, pki.gatewayKex.certificate, type, t);
      const wrong = { certificate: pki.gatewayKex.certificate, privateKey: pki.merchantKex.privateKey };
      const right = counting(p);
      await openE(right.p, decrypterOf(pki, "gatewayKex"), msg, { contentType: type });
      expect(right.draws).toEqual([]);
      const failed = counting(p);
      const aes =
        p.name === "node"
          ? jest.spyOn(nodeCrypto, "createDecipheriv")
          : jest.spyOn(p.crypto.subtle, "decrypt");
      try {
        await expectDecryptionFailed(openE(failed.p, wrong, msg, { contentType: type }));
        expect(failed.draws).toEqual([32]);
        const aesCalls = aes.mock.calls.filter(
          (c) => p.name === "node" || (c[0] as Algorithm).name === "AES-CBC",
        );
        expect(aesCalls).toHaveLength(1);
      } finally {
        aes.mockRestore();
      }
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
