import { decodeDer, encodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import { DetachedDigest } from "../schema/common";
import { ContentType } from "../schema/oids";
import { checkDD, DD, H, HMAC } from "./digest";
import { derOf, providers, utf8 } from "./fixtures.test-helper";
import { checkL, L } from "./linkage";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe.each(providers)("digest operators under the %s provider", (_name, p) => {
  it("H is SHA-256", async () => {
    expect(hex(await H(p, utf8("abc")))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("HMAC is HMAC-SHA-256 (RFC 4231 case 2), with raw or CryptoKey keys", async () => {
    const expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect(hex(await HMAC(p, utf8("Jefe"), utf8("what do ya want for nothing?")))).toBe(expected);
    const key = await p.crypto.subtle.importKey(
      "raw",
      utf8("Jefe"),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    expect(hex(await HMAC(p, key, utf8("what do ya want for nothing?")))).toBe(expected);
  });

  it("DD carries the content type and survives its DER codec", async () => {
    const t = derOf("OIData");
    const dd = await DD(p, t, ContentType.OIData);
    const again = decodeDer(DetachedDigest, encodeDer(DetachedDigest, dd));
    await expect(checkDD(p, again, t, ContentType.OIData)).resolves.toBeUndefined();
    expect(again.encapContentInfo.eContentType).toBe(ContentType.OIData);
    expect(again.digest).toEqual(await H(p, t));
  });

  it("checkDD accepts NULL digest parameters (RFC 5754 allows both forms)", async () => {
    const t = derOf("OIData");
    const dd = await DD(p, t, ContentType.OIData);
    const withNull = { ...dd, digestAlgorithm: { ...dd.digestAlgorithm, parameters: Uint8Array.of(5, 0) } };
    await expect(checkDD(p, withNull, t, ContentType.OIData)).resolves.toBeUndefined();
  });

  describe("checkDD refuses", () => {
    const cases: [string, (dd: DetachedDigest) => DetachedDigest, RegExp][] = [
      [
        "another content type",
        (dd) => ({ ...dd, encapContentInfo: { eContentType: ContentType.PIData } }),
        /2\.23\.42\.0\.5/,
      ],
      ["another digest", (dd) => ({ ...dd, digest: new Uint8Array(32) }), /does not match/],
      [
        "another algorithm",
        (dd) => ({ ...dd, digestAlgorithm: { algorithm: "2.16.840.1.101.3.4.2.2" } }),
        /SHA-256/,
      ],
      [
        "non-NULL parameters",
        (dd) => ({ ...dd, digestAlgorithm: { ...dd.digestAlgorithm, parameters: Uint8Array.of(4, 0) } }),
        /SHA-256/,
      ],
    ];
    it.each(cases)("%s", async (_what, mutate, message) => {
      const t = derOf("OIData");
      const dd = mutate(await DD(p, t, ContentType.OIData));
      const failure = checkDD(p, dd, t, ContentType.OIData).catch((e) => e);
      expect(await failure).toBeInstanceOf(SetError);
      expect(await failure).toMatchObject({
        code: "signatureFailure",
        message: expect.stringMatching(message),
      });
    });

    it("other data", async () => {
      const dd = await DD(p, derOf("OIData"), ContentType.OIData);
      await expect(checkDD(p, dd, derOf("OIDatb"), ContentType.OIData)).rejects.toMatchObject({
        code: "signatureFailure",
      });
    });
  });

  it("L links t1 to t2, and checkL refuses another t2 or another type", async () => {
    const t1 = derOf("PIHead");
    const t2 = derOf("OIData");
    const linkage = await L(p, t1, t2, ContentType.OIData);
    expect(await checkL(p, linkage, t2, ContentType.OIData)).toEqual(t1);
    await expect(checkL(p, linkage, derOf("OIDatA"), ContentType.OIData)).rejects.toMatchObject({
      code: "signatureFailure",
      where: "Linkage.dd",
    });
    await expect(checkL(p, linkage, t2, ContentType.PIData)).rejects.toMatchObject({
      code: "signatureFailure",
    });
    await expect(checkL(p, linkage.subarray(1), t2, ContentType.OIData)).rejects.toMatchObject({
      code: "decodingFailure",
    });
  });
});
