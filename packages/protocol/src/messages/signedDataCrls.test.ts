import { decodeDer } from "../asn1/codec";
import { derOf, pkiFor, signerOf } from "../crypto/fixtures.test-helper";
import { nodeProvider } from "../crypto/provider";
import { S, verifyS } from "../crypto/signedMessage";
import { contentInfoOf, SignedData } from "../schema/cms";
import { ContentType } from "../schema/oids";
import { takeCrls, withCrls } from "./signedDataCrls";

const p = nodeProvider();
const type = ContentType.PInitResData;
const t = derOf("PInitResData");
/** Stand-ins for CRLs: the field only needs SEQUENCEs; what they say is the revocation module's. */
const crlA = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x02);
const crlB = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);

describe("the crls field of a SignedData", () => {
  it("CRLs put in come out again in DER order, and the signature still verifies with or without them", async () => {
    const pki = await pkiFor(p);
    const signed = await S(p, signerOf(pki, "merchantSig"), type, t);
    const carrying = withCrls(signed, [crlA, crlB]);
    const sd = decodeDer(contentInfoOf(SignedData), carrying).content;
    expect(sd.crls).toEqual([crlB, crlA]);
    expect(sd.certificates).toHaveLength(1 + pki.intermediatesOf("merchantSig").length);
    expect((await verifyS(p, carrying, { contentType: type })).content).toEqual(t);
    const taken = takeCrls(carrying);
    expect(taken.crls).toEqual([crlB, crlA]);
    expect(taken.message).toEqual(signed);
    expect(withCrls(carrying, [])).toEqual(signed);
  });

  it("refuses CRLs out of DER order (a SET OF), with decodingFailure", async () => {
    const pki = await pkiFor(p);
    const carrying = withCrls(await S(p, signerOf(pki, "merchantSig"), type, t), [crlA, crlB]);
    // crlB sorts first; swap the two five-byte elements in place.
    const at = Buffer.from(carrying).indexOf(Buffer.from([...crlB, ...crlA]));
    expect(at).toBeGreaterThan(0);
    const unsorted = new Uint8Array(carrying);
    unsorted.set([...crlA, ...crlB], at);
    expect(() => takeCrls(unsorted)).toThrow(
      expect.objectContaining({ code: "decodingFailure", message: expect.stringMatching(/DER order/) }),
    );
  });

  it("a message without CRLs gives none and comes back unchanged", async () => {
    const pki = await pkiFor(p);
    const signed = await S(p, signerOf(pki, "merchantSig"), type, t);
    expect(takeCrls(signed)).toEqual({ crls: [], message: signed });
  });

  it("refuses what is not a SignedData ContentInfo with decodingFailure", () => {
    for (const bad of [
      t,
      Uint8Array.of(0x30, 0x00),
      Uint8Array.of(0x30, 0x03, 0x06, 0x01, 0x2a),
      Uint8Array.of(0x30),
    ])
      for (const f of [() => takeCrls(bad), () => withCrls(bad, [crlA])])
        expect(f).toThrow(expect.objectContaining({ code: "decodingFailure" }));
  });
});
