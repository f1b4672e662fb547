import { createHash } from "node:crypto";
import { decodeDer, encodeDer } from "../asn1/codec";
import { nodeProvider } from "../crypto/provider";
import { BrandCRLIdentifier, type UnsignedBrandCRLIdentifier } from "../schema/certExtensions";
import { createTestPki, type TestPki } from "../testing/pki";
import {
  parsedBrandCRLIdentifiers,
  readBrandCRLIdentifier,
  signBrandCRLIdentifier,
  verifyBrandCRLIdentifier,
} from "./brandCRLIdentifier";
import { parseSetCertificate, type SetCertificate } from "./setCertificate";

const p = nodeProvider();

let pki: TestPki;
let brandCa: SetCertificate;
let content: UnsignedBrandCRLIdentifier;
const at = new Date("2030-06-01T00:00:00Z");
beforeAll(async () => {
  pki = await createTestPki();
  brandCa = parseSetCertificate(pki.brandCa.certificate);
  content = {
    version: 0,
    sequenceNum: 7,
    brandID: "Visa",
    notBefore: new Date("2030-01-01T00:00:00Z"),
    notAfter: new Date("2031-01-01T00:00:00Z"),
    idCRLs: [
      {
        issuerName: parseSetCertificate(pki.merchantCa.certificate).subjectDer,
        crlNumber: 3,
        crlThumb: new Uint8Array(32).fill(1),
      },
    ],
    brandCAThumb: await brandCa.thumb(),
  };
});

describe("BrandCRLIdentifier", () => {
  test("signs and verifies; the thumb is SHA-256 of the unsigned part", async () => {
    const der = await signBrandCRLIdentifier(p, content, pki.brandCa.privateKey);
    const v = await verifyBrandCRLIdentifier(p, der, brandCa, at);
    expect(v.content).toEqual(content);
    const unsigned = decodeDer(BrandCRLIdentifier, der).unsignedBrandCRLIdentifier;
    expect(v.thumb).toEqual(new Uint8Array(createHash("sha256").update(unsigned).digest()));
  });

  test("a tampered signature is signatureFailure", async () => {
    const der = Uint8Array.from(await signBrandCRLIdentifier(p, content, pki.brandCa.privateKey));
    der[der.length - 1] ^= 1;
    await expect(verifyBrandCRLIdentifier(p, der, brandCa, at)).rejects.toMatchObject({
      code: "signatureFailure",
    });
  });

  test("signed by another key is signatureFailure", async () => {
    const der = await signBrandCRLIdentifier(p, content, pki.merchantCa.privateKey);
    await expect(verifyBrandCRLIdentifier(p, der, brandCa, at)).rejects.toMatchObject({
      code: "signatureFailure",
    });
  });

  test("brandCAThumb naming another certificate is thumbsMismatch", async () => {
    const der = await signBrandCRLIdentifier(
      p,
      { ...content, brandCAThumb: new Uint8Array(32) },
      pki.brandCa.privateKey,
    );
    await expect(verifyBrandCRLIdentifier(p, der, brandCa, at)).rejects.toMatchObject({
      code: "thumbsMismatch",
    });
  });

  test("another brand, a non-brand-CA signer, and a stale BCI are invalidCertificate", async () => {
    const other = await signBrandCRLIdentifier(
      p,
      { ...content, brandID: "MasterCard" },
      pki.brandCa.privateKey,
    );
    await expect(verifyBrandCRLIdentifier(p, other, brandCa, at)).rejects.toMatchObject({
      code: "invalidCertificate",
    });
    const der = await signBrandCRLIdentifier(p, content, pki.brandCa.privateKey);
    const mca = parseSetCertificate(pki.merchantCa.certificate);
    await expect(verifyBrandCRLIdentifier(p, der, mca, at)).rejects.toMatchObject({
      code: "invalidCertificate",
    });
    await expect(
      verifyBrandCRLIdentifier(p, der, brandCa, new Date("2032-01-01T00:00:00Z")),
    ).rejects.toMatchObject({
      code: "invalidCertificate",
    });
  });

  test("a non-DER BCI is a decoding failure", async () => {
    const der = await signBrandCRLIdentifier(p, content, pki.brandCa.privateKey);
    await expect(verifyBrandCRLIdentifier(p, Uint8Array.of(...der, 0), brandCa, at)).rejects.toMatchObject({
      code: "decodingFailure",
    });
    expect(encodeDer(BrandCRLIdentifier, decodeDer(BrandCRLIdentifier, der))).toEqual(der);
  });

  test("the same bytes are read once; each verification still checks signer, signature and dates", async () => {
    parsedBrandCRLIdentifiers.clear();
    const der = await signBrandCRLIdentifier(p, content, pki.brandCa.privateKey);
    const read = readBrandCRLIdentifier(der);
    expect(readBrandCRLIdentifier(new Uint8Array(der))).toBe(read);
    expect(read.content).toEqual(content);
    expect((await verifyBrandCRLIdentifier(p, der, brandCa, at)).content).toBe(read.content);
    const mca = parseSetCertificate(pki.merchantCa.certificate);
    await expect(verifyBrandCRLIdentifier(p, der, mca, at)).rejects.toMatchObject({
      code: "invalidCertificate",
    });
    const bad = Uint8Array.of(...der, 0);
    expect(() => readBrandCRLIdentifier(bad)).toThrow();
    expect(() => readBrandCRLIdentifier(bad)).toThrow();
    expect(parsedBrandCRLIdentifiers.size).toBe(1);
  });
});
