import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { decodeDer, encodeDer, nodeBytes, nodeChildren, parseOne } from "../asn1/codec";
import { octets, oid } from "../asn1/primitives";
import { compareBytes, concatBytes, context, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";
import { type Attribute, contentInfoOf, SignedAttributes, SignedData } from "../schema/cms";
import { ContentType, Std } from "../schema/oids";
import { EK } from "./encryptedMessage";
import { derOf, flipped, pkiFor, providers, signerOf, withOpenSsl } from "./fixtures.test-helper";
import type { CryptoProvider } from "./provider";
import { S, SO, verifyS, verifySO } from "./signedMessage";

/** Re-encode a SignedMessage after editing its SignedData (for crafted negative cases). */
function rewrite(msg: Uint8Array, edit: (sd: pkijs.SignedData) => void): Uint8Array {
  const info = pkijs.ContentInfo.fromBER(new Uint8Array(msg));
  const sd = new pkijs.SignedData({ schema: info.content });
  edit(sd);
  const out = new pkijs.ContentInfo({ contentType: Std.signedData, content: sd.toSchema() });
  return new Uint8Array(out.toSchema().toBER());
}

const SignedMessage = contentInfoOf(SignedData);

/** Re-encode a SignedMessage after editing its SignedData with our own codecs. */
function edited(msg: Uint8Array, edit: (sd: SignedData) => void): Uint8Array {
  const info = decodeDer(SignedMessage, msg);
  edit(info.content);
  return encodeDer(SignedMessage, info);
}

const retagged = (der: Uint8Array, identifier: number) => {
  const out = new Uint8Array(der);
  out[0] = identifier;
  return out;
};

/**
 * Replace the signed attributes and sign them again with `key`, so that the only thing wrong
 * with the message is what `edit` did (undefined: no signed attributes, the content is signed).
 */
async function resigned(
  p: CryptoProvider,
  key: CryptoKey,
  msg: Uint8Array,
  edit: (attrs: Attribute[]) => Attribute[] | undefined,
): Promise<Uint8Array> {
  const info = decodeDer(SignedMessage, msg);
  const si = info.content.signerInfos[0];
  const attrs = edit(decodeDer(SignedAttributes, retagged(si.signedAttrs as Uint8Array, 0x31)));
  const signed = attrs
    ? encodeDer(SignedAttributes, attrs)
    : (info.content.encapContentInfo.eContent as Uint8Array);
  si.signedAttrs = attrs ? retagged(signed, 0xa0) : undefined;
  si.signature = new Uint8Array(await p.crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new Uint8Array(signed)));
  return encodeDer(SignedMessage, info);
}

const signedAttrsOf = (msg: Uint8Array) =>
  decodeDer(
    SignedAttributes,
    retagged(decodeDer(SignedMessage, msg).content.signerInfos[0].signedAttrs as Uint8Array, 0x31),
  );

/** WebCrypto's ECDSA signature (r || s) as the DER SEQUENCE node:crypto reads by default. */
function ecdsaDer(raw: Uint8Array): Uint8Array {
  const integer = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return tlv(universal(2), false, v[0] & 0x80 ? concatBytes([Uint8Array.of(0), v]) : v);
  };
  const half = raw.length / 2;
  return tlv(universal(16), true, concatBytes([integer(raw.subarray(0, half)), integer(raw.subarray(half))]));
}

/** The SignedData's fields as raw TLVs, and the message rebuilt from them. */
function signedDataFields(msg: Uint8Array): { contentType: Uint8Array; fields: Uint8Array[] } {
  const [contentType, content] = nodeChildren(parseOne(msg, "msg"));
  return {
    contentType: nodeBytes(contentType),
    fields: nodeChildren(nodeChildren(content)[0]).map(nodeBytes),
  };
}

/** The elements of the [0] certificates field, in message order. */
function certificatesField(msg: Uint8Array): Uint8Array[] {
  const field = signedDataFields(msg).fields.find((f) => f[0] === 0xa0);
  return field ? nodeChildren(parseOne(field, "certificates")).map(nodeBytes) : [];
}

/** The message with its [0] certificates field holding `certificates` in exactly this order. */
function withCertificatesField(msg: Uint8Array, certificates: readonly Uint8Array[]): Uint8Array {
  const { contentType, fields } = signedDataFields(msg);
  const out = fields.map((f) => (f[0] === 0xa0 ? tlv(context(0), true, concatBytes(certificates)) : f));
  const signedData = tlv(universal(16), true, concatBytes(out));
  return tlv(universal(16), true, concatBytes([contentType, tlv(context(0), true, signedData)]));
}

const attr = (attrType: string, ...attrValues: Uint8Array[]): Attribute => ({ attrType, attrValues });
const without = (attrs: Attribute[], type: string) => attrs.filter((a) => a.attrType !== type);

const type = ContentType.PInitResData;

describe.each(providers)("S and SO under the %s provider", (_name, p) => {
  const t = derOf("PInitResData");

  it("S round-trips and reports the signer and every certificate sent", async () => {
    const pki = await pkiFor(p);
    const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
    const v = await verifyS(p, msg, { contentType: type });
    expect(v.content).toEqual(t);
    expect(v.signerCertificate).toEqual(pki.merchantSig.certificate);
    expect(v.certificates).toEqual(
      [pki.merchantSig.certificate, ...pki.intermediatesOf("merchantSig")].sort(compareBytes),
    );
  });

  it("writes certificates as a DER SET OF (sorted by encoding, each once) whatever order the signer lists them in", async () => {
    const pki = await pkiFor(p);
    const leaf = pki.merchantSig.certificate;
    const chain = pki.intermediatesOf("merchantSig");
    expect(chain.length).toBeGreaterThanOrEqual(2);
    const descending = [...chain].sort(compareBytes).reverse();
    const msg = await S(
      p,
      { ...signerOf(pki, "merchantSig"), chain: [...descending, leaf, descending[0]] },
      type,
      t,
    );
    const carried = certificatesField(msg);
    expect(carried).toEqual([leaf, ...chain].sort(compareBytes));
    // The signer is found by issuer and serial number wherever it stands.
    expect((await verifyS(p, msg, { contentType: type })).signerCertificate).toEqual(leaf);
  });

  it("writes SHA-256 with absent parameters and sha256WithRSAEncryption with NULL (docs/wire-profile.md)", async () => {
    const pki = await pkiFor(p);
    const sd = decodeDer(SignedMessage, await S(p, signerOf(pki, "merchantSig"), type, t)).content;
    expect(sd.digestAlgorithms).toEqual([{ algorithm: Std.sha256 }]);
    expect(sd.signerInfos[0].digestAlgorithm).toEqual({ algorithm: Std.sha256 });
    expect(sd.signerInfos[0].signatureAlgorithm).toEqual({
      algorithm: Std.sha256WithRSAEncryption,
      parameters: Uint8Array.of(0x05, 0x00),
    });
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

    it("certificates out of DER order (a SET OF), with decodingFailure", async () => {
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      const unsorted = withCertificatesField(msg, [...certificatesField(msg)].reverse());
      await expectFailure(verifyS(p, unsorted, { contentType: type }), "decodingFailure", /DER order/);
    });

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

    describe("signed attributes (each forgery signed again with the signer's key)", () => {
      it("re-signed untouched, the message still verifies (the forgeries below fail for their edit alone)", async () => {
        const pki = await pkiFor(p);
        const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
        const same = await resigned(p, pki.merchantSig.privateKey, msg, (attrs) => attrs);
        expect((await verifyS(p, same, { contentType: type })).content).toEqual(t);
      });

      it("absent: the signature over the content alone binds no content type", async () => {
        const pki = await pkiFor(p);
        const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
        const bare = await resigned(p, pki.merchantSig.privateKey, msg, () => undefined);
        await expectFailure(
          verifyS(p, bare, { contentType: type }),
          "signatureFailure",
          /no signed attributes/,
        );
      });

      it("a messageDigest missing, not an OCTET STRING, or of other content", async () => {
        const pki = await pkiFor(p);
        const key = pki.merchantSig.privateKey;
        const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
        const missing = await resigned(p, key, msg, (attrs) => without(attrs, Std.messageDigestAttr));
        await expectFailure(
          verifyS(p, missing, { contentType: type }),
          "signatureFailure",
          /messageDigest.*missing/,
        );
        const notOctets = await resigned(p, key, msg, (attrs) => [
          ...without(attrs, Std.messageDigestAttr),
          attr(Std.messageDigestAttr, encodeDer(oid(), Std.sha256)),
        ]);
        await expectFailure(
          verifyS(p, notOctets, { contentType: type }),
          "signatureFailure",
          /messageDigest.*missing/,
        );
        const other = await resigned(p, key, msg, (attrs) => [
          ...without(attrs, Std.messageDigestAttr),
          attr(Std.messageDigestAttr, encodeDer(octets(), new Uint8Array(32).fill(1))),
        ]);
        await expectFailure(
          verifyS(p, other, { contentType: type }),
          "signatureFailure",
          /messageDigest.*does not match/,
        );
        const so = await SO(p, signerOf(pki, "merchantSig"), type, t);
        await expectFailure(
          verifySO(p, so, derOf("other"), { contentType: type }),
          "signatureFailure",
          /messageDigest/,
        );
      });

      it("an attribute twice, or a contentType or messageDigest with two values", async () => {
        const pki = await pkiFor(p);
        const key = pki.merchantSig.privateKey;
        const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
        const twice = await resigned(p, key, msg, (attrs) => [
          ...attrs,
          attr(Std.contentTypeAttr, encodeDer(oid(), ContentType.PResData)),
        ]);
        await expectFailure(verifyS(p, twice, { contentType: type }), "signatureFailure", /appears twice/);
        const sameTwice = await resigned(p, key, msg, (attrs) => [...attrs, attrs[0]]);
        await expectFailure(
          verifyS(p, sameTwice, { contentType: type }),
          "signatureFailure",
          /appears twice/,
        );
        const twoTypes = await resigned(p, key, msg, (attrs) => [
          ...without(attrs, Std.contentTypeAttr),
          attr(Std.contentTypeAttr, encodeDer(oid(), type), encodeDer(oid(), ContentType.PResData)),
        ]);
        await expectFailure(
          verifyS(p, twoTypes, { contentType: type }),
          "signatureFailure",
          /contentType attribute/,
        );
        const digest = signedAttrsOf(msg).find((a) => a.attrType === Std.messageDigestAttr) as Attribute;
        const twoDigests = await resigned(p, key, msg, (attrs) => [
          ...without(attrs, Std.messageDigestAttr),
          attr(Std.messageDigestAttr, digest.attrValues[0], encodeDer(octets(), new Uint8Array(32))),
        ]);
        await expectFailure(
          verifyS(p, twoDigests, { contentType: type }),
          "signatureFailure",
          /messageDigest/,
        );
      });

      it("a contentType attribute missing", async () => {
        const pki = await pkiFor(p);
        const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
        const missing = await resigned(p, pki.merchantSig.privateKey, msg, (attrs) =>
          without(attrs, Std.contentTypeAttr),
        );
        await expectFailure(
          verifyS(p, missing, { contentType: type }),
          "signatureFailure",
          /contentType attribute/,
        );
      });
    });

    it("a signature algorithm other than RSASSA-PKCS1-v1_5", async () => {
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      const pss = edited(msg, (sd) => {
        sd.signerInfos[0].signatureAlgorithm = { algorithm: "1.2.840.113549.1.1.10" };
      });
      await expectFailure(
        verifyS(p, pss, { contentType: type }),
        "signatureFailure",
        /unsupported signature algorithm/,
      );
      const withParams = edited(msg, (sd) => {
        sd.signerInfos[0].signatureAlgorithm = {
          algorithm: Std.sha256WithRSAEncryption,
          parameters: encodeDer(octets(), new Uint8Array(1)),
        };
      });
      await expectFailure(
        verifyS(p, withParams, { contentType: type }),
        "signatureFailure",
        /unsupported signature algorithm/,
      );
      // OpenSSL's label for the same signature verifies.
      const openSslLabel = edited(msg, (sd) => {
        sd.signerInfos[0].signatureAlgorithm = {
          algorithm: Std.rsaEncryption,
          parameters: Uint8Array.of(5, 0),
        };
      });
      await verifyS(p, openSslLabel, { contentType: type });
    });

    it("SHA-256 with parameters other than absent or NULL", async () => {
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      const odd = { algorithm: Std.sha256, parameters: encodeDer(octets(), new Uint8Array(2)) };
      const inSigner = edited(msg, (sd) => {
        sd.signerInfos[0].digestAlgorithm = odd;
      });
      await expectFailure(verifyS(p, inSigner, { contentType: type }), "signatureFailure", /SHA-256/);
      const listed = edited(msg, (sd) => {
        sd.digestAlgorithms = [odd];
      });
      await expectFailure(verifyS(p, listed, { contentType: type }), "signatureFailure", /digestAlgorithms/);
      const absent = edited(msg, (sd) => {
        sd.digestAlgorithms = [{ algorithm: Std.sha256 }];
        sd.signerInfos[0].digestAlgorithm = { algorithm: Std.sha256 };
      });
      await verifyS(p, absent, { contentType: type });
    });

    it("a SignerInfo or SignedData version other than SET's (1 and 3)", async () => {
      const pki = await pkiFor(p);
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t);
      // The version INTEGER is the first field of each: 02 01 03 opens the SignedData, 02 01 01 the SignerInfo.
      const at = (needle: number[], from = 0) => Buffer.from(msg).indexOf(Buffer.from(needle), from);
      const signedDataVersion = at([0x02, 0x01, 0x03]);
      const signerInfoVersion = at([0x02, 0x01, 0x01], signedDataVersion);
      expect(signedDataVersion).toBeGreaterThan(0);
      expect(signerInfoVersion).toBeGreaterThan(signedDataVersion);
      const v1 = new Uint8Array(msg);
      v1[signedDataVersion + 2] = 1;
      await expectFailure(verifyS(p, v1, { contentType: type }), "decodingFailure");
      const v3 = new Uint8Array(msg);
      v3[signerInfoVersion + 2] = 3;
      await expectFailure(verifyS(p, v3, { contentType: type }), "decodingFailure");
    });

    it("a certificate whose key is not RSA, even with a signature that key made", async () => {
      const pki = await pkiFor(p);
      const ec = (await p.crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
        "sign",
        "verify",
      ])) as CryptoKeyPair;
      const ecSpki = new Uint8Array(await p.crypto.subtle.exportKey("spki", ec.publicKey));
      // The merchant's certificate with its key swapped: the same issuer and serial number.
      const cert = parseOne(pki.merchantSig.certificate, "cert");
      const [tbs, ...outer] = nodeChildren(cert);
      const fields = nodeChildren(tbs).map(nodeBytes);
      fields[6] = ecSpki; // [0] version, serial, signature, issuer, validity, subject, spki
      const swapped = tlv(
        universal(16),
        true,
        concatBytes([tlv(universal(16), true, concatBytes(fields)), ...outer.map(nodeBytes)]),
      );
      const msg = await S(p, signerOf(pki, "merchantSig"), type, t, { omitCertificates: true });
      const info = decodeDer(SignedMessage, msg);
      const si = info.content.signerInfos[0];
      const signedSet = retagged(si.signedAttrs as Uint8Array, 0x31);
      si.signature = ecdsaDer(
        new Uint8Array(
          await p.crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.privateKey, signedSet),
        ),
      );
      await expectFailure(
        verifyS(p, encodeDer(SignedMessage, info), { contentType: type, knownCertificates: [swapped] }),
        "signatureFailure",
        /does not verify/,
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
        o.verifyCms("-in", "s.der", "-out", "content.der");
        expect(o.read("content.der")).toEqual(t);
        o.verifyCms("-in", "so.der", "-content", "t.der", "-binary", "-out", "/dev/null");
        o.file("other.der", derOf("PInitResDatA"));
        expect(() => o.verifyCms("-in", "so.der", "-content", "other.der", "-binary")).toThrow();
      });
    });

    it("OpenSSL's DER encoder writes our S and SO back byte for byte (sorted certificates, canonical attributes)", async () => {
      const pki = await pkiFor(p);
      const s = await S(p, signerOf(pki, "merchantSig"), type, t);
      const so = await SO(p, signerOf(pki, "cardholder"), ContentType.PI_TBS, t);
      await withOpenSsl((o) => {
        for (const [name, der] of [
          ["s", s],
          ["so", so],
        ] as const) {
          o.file(`${name}.der`, der);
          o.run(
            "cms",
            "-cmsout",
            "-inform",
            "DER",
            "-outform",
            "DER",
            "-in",
            `${name}.der`,
            "-out",
            `${name}2.der`,
          );
          expect(Buffer.from(o.read(`${name}2.der`)).equals(Buffer.from(der))).toBe(true);
        }
      });
    });

    it("we verify S and SO that OpenSSL made", async () => {
      const pki = await pkiFor(p);
      const signer = pki.merchantSig;
      const [s, so] = await withOpenSsl((o) => {
        o.file("cert.pem", signer.certificatePem);
        o.file("key.pem", signer.privateKeyPem);
        o.file("t.der", t);
        // With the CA chain as well, so that OpenSSL's own ordering of the certificates is read.
        const chainPem = pki
          .intermediatesOf("merchantSig")
          .map(
            (der) =>
              `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64")}\n-----END CERTIFICATE-----\n`,
          )
          .join("");
        o.file("chain.pem", chainPem);
        const sign = [
          "cms",
          "-sign",
          "-binary",
          "-outform",
          "DER",
          "-md",
          "sha256",
          "-signer",
          "cert.pem",
          "-certfile",
          "chain.pem",
        ];
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
      expect(v.certificates).toHaveLength(1 + pki.intermediatesOf("merchantSig").length);
      expect((await verifySO(p, so, t, { contentType: type })).signerCertificate).toEqual(signer.certificate);
      await expect(verifySO(p, so, derOf("x"), { contentType: type })).rejects.toMatchObject({
        code: "signatureFailure",
      });
    });
  });
});
