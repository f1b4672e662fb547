import { decodeDer, encodeDer } from "../asn1/codec";
import { octets } from "../asn1/primitives";
import { contentInfoOf, EncryptedData } from "../schema/cms";
import { ContentType, Std } from "../schema/oids";
import { EK, openEK } from "./encryptedMessage";
import {
  derOf,
  expectDecryptionFailed,
  flipped,
  pinned,
  providers,
  withOpenSsl,
} from "./fixtures.test-helper";

const type = ContentType.CertResTBE;
const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const hexKey = Buffer.from(key).toString("hex");

const EncryptedMessage = contentInfoOf(EncryptedData);

/** Re-encode an EncryptedMessage after editing it with our own codecs. */
function edited(msg: Uint8Array, edit: (ed: EncryptedData) => void): Uint8Array {
  const info = decodeDer(EncryptedMessage, msg);
  edit(info.content);
  return encodeDer(EncryptedMessage, info);
}

describe.each(providers)("EK under the %s provider", (_name, p) => {
  const t = derOf("CertResData signed");

  it("round-trips", async () => {
    expect(await openEK(p, key, await EK(p, key, type, t), { contentType: type })).toEqual(t);
  });

  it("refuses a key that is not 32 bytes, clearly", async () => {
    await expect(EK(p, key.subarray(0, 16), type, t)).rejects.toThrow(/32-byte AES-256 key/);
  });

  describe("fails with the one generic error on", () => {
    it("the wrong key", async () => {
      const msg = await EK(pinned(p), key, type, t);
      await expectDecryptionFailed(openEK(p, flipped(key, 0), msg, { contentType: type }));
    });
    it("another content type", async () => {
      await expectDecryptionFailed(
        openEK(p, key, await EK(p, key, type, t), { contentType: ContentType.PI }),
      );
    });
    it("tampered ciphertext", async () => {
      const msg = await EK(pinned(p), key, type, t);
      await expectDecryptionFailed(openEK(p, key, flipped(msg, -1), { contentType: type }));
    });
    it("an algorithm other than AES-256-CBC with a 16-byte IV, no content, or a version other than 0", async () => {
      const msg = await EK(p, key, type, t);
      expect(
        await openEK(
          p,
          key,
          edited(msg, () => {}),
          { contentType: type },
        ),
      ).toEqual(t);
      const aes128 = edited(msg, (ed) => {
        ed.encryptedContentInfo.contentEncryptionAlgorithm.algorithm = "2.16.840.1.101.3.4.1.2";
      });
      await expectDecryptionFailed(openEK(p, key, aes128, { contentType: type }));
      const longIv = edited(msg, (ed) => {
        ed.encryptedContentInfo.contentEncryptionAlgorithm.parameters = encodeDer(
          octets(),
          new Uint8Array(17),
        );
      });
      await expectDecryptionFailed(openEK(p, key, longIv, { contentType: type }));
      const empty = edited(msg, (ed) => {
        ed.encryptedContentInfo.encryptedContent = undefined;
      });
      await expectDecryptionFailed(openEK(p, key, empty, { contentType: type }));
      const v2 = new Uint8Array(msg);
      const version = Buffer.from(msg).indexOf(Buffer.from([0x02, 0x01, 0x00]));
      v2[version + 2] = 2;
      await expectDecryptionFailed(openEK(p, key, v2, { contentType: type }));
    });

    it("something that is not an EncryptedData", async () => {
      await expectDecryptionFailed(openEK(p, key, t, { contentType: type }));
    });
  });

  it("OpenSSL opens our EK, and we open OpenSSL's EncryptedData", async () => {
    const ours = await EK(p, key, type, t);
    const theirs = await withOpenSsl((o) => {
      o.file("ek.der", ours);
      o.file("t.der", t);
      const args = ["cms", "-inform", "DER", "-outform", "DER", "-secretkey", hexKey];
      o.run(...args, "-EncryptedData_decrypt", "-in", "ek.der", "-out", "out.der");
      expect(o.read("out.der")).toEqual(t);
      o.run(
        ...args,
        "-EncryptedData_encrypt",
        "-aes-256-cbc",
        "-binary",
        "-in",
        "t.der",
        "-out",
        "theirs.der",
      );
      return o.read("theirs.der");
    });
    expect(await openEK(p, key, theirs, { contentType: Std.data })).toEqual(t);
  });
});
