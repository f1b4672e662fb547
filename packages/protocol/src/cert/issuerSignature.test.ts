import { generateKeyPairSync, webcrypto } from "node:crypto";
import { Crypto as PeculiarCrypto } from "@peculiar/webcrypto";
import { isNodeProvider } from "../crypto/native";
import {
  type CryptoProvider,
  defaultProvider,
  nodeProvider,
  peculiarProvider,
  webCryptoProvider,
} from "../crypto/provider";
import { createTestPki, type TestPki } from "../testing/pki";
import { certificateSignedBy, issuerSignatureVerifies } from "./issuerSignature";
import { SetCertificate } from "./setCertificate";

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const fresh = (der: Uint8Array) => new SetCertificate(der);

/** A provider whose WebCrypto counts its verify calls (an independent implementation underneath). */
function countingProvider(): { p: CryptoProvider; verifies: () => number } {
  const inner = new PeculiarCrypto() as unknown as Crypto;
  let n = 0;
  const subtle = Object.create(inner.subtle) as SubtleCrypto;
  subtle.verify = (...args: Parameters<SubtleCrypto["verify"]>) => {
    n++;
    return inner.subtle.verify(...args);
  };
  subtle.importKey = inner.subtle.importKey.bind(inner.subtle) as SubtleCrypto["importKey"];
  return {
    p: webCryptoProvider("counting", {
      subtle,
      getRandomValues: inner.getRandomValues.bind(inner),
    } as Crypto),
    verifies: () => n,
  };
}

describe("issuerSignatureVerifies", () => {
  test("Node's WebCrypto is recognised, so the node:crypto path runs in these tests", () => {
    expect(isNodeProvider(nodeProvider())).toBe(true);
    expect(isNodeProvider(webCryptoProvider("node:crypto", webcrypto as unknown as Crypto))).toBe(true);
    expect(isNodeProvider(peculiarProvider())).toBe(false);
  });

  test.each([
    ["node:crypto", nodeProvider],
    ["@peculiar/webcrypto", peculiarProvider],
  ])("%s: the issuer's key verifies, another key, a flipped bit or another TBS do not", async (_, make) => {
    const c = make();
    const leaf = fresh(pki.cardholder.certificate);
    const ca = fresh(pki.cardholderCa.certificate);
    expect(await issuerSignatureVerifies(c, ca, leaf.signature, leaf.tbs)).toBe(true);
    expect(
      await issuerSignatureVerifies(c, fresh(pki.merchantCa.certificate), leaf.signature, leaf.tbs),
    ).toBe(false);
    const flipped = Uint8Array.from(leaf.signature);
    flipped[10] ^= 1;
    expect(await issuerSignatureVerifies(c, ca, flipped, leaf.tbs)).toBe(false);
    expect(await issuerSignatureVerifies(c, ca, leaf.signature, fresh(pki.merchantSig.certificate).tbs)).toBe(
      false,
    );
    expect(await issuerSignatureVerifies(c, ca, new Uint8Array(0), leaf.tbs)).toBe(false);
  });

  test("a signature that verified is remembered per provider and issuer; a failure, another TBS or another issuer is not", async () => {
    const { p, verifies } = countingProvider();
    const leaf = fresh(pki.cardholder.certificate);
    const ca = fresh(pki.cardholderCa.certificate);
    expect(await issuerSignatureVerifies(p, ca, leaf.signature, leaf.tbs)).toBe(true);
    expect(verifies()).toBe(1);
    // The same bytes again, as copies (a CRL re-parsed from the next PInitRes): no RSA operation.
    expect(
      await issuerSignatureVerifies(p, ca, Uint8Array.from(leaf.signature), Uint8Array.from(leaf.tbs)),
    ).toBe(true);
    expect(verifies()).toBe(1);
    const otherTbs = Uint8Array.from(leaf.tbs);
    otherTbs[otherTbs.length - 1] ^= 1;
    expect(await issuerSignatureVerifies(p, ca, leaf.signature, otherTbs)).toBe(false);
    expect(await issuerSignatureVerifies(p, ca, leaf.signature, otherTbs)).toBe(false);
    expect(verifies()).toBe(3);
    expect(
      await issuerSignatureVerifies(p, fresh(pki.merchantCa.certificate), leaf.signature, leaf.tbs),
    ).toBe(false);
    expect(verifies()).toBe(4);
    const second = countingProvider();
    expect(await issuerSignatureVerifies(second.p, ca, leaf.signature, leaf.tbs)).toBe(true);
    expect(second.verifies()).toBe(1);
  });

  test("a key that is not RSA verifies nothing", async () => {
    const ca = fresh(pki.cardholderCa.certificate);
    const leaf = fresh(pki.cardholder.certificate);
    const ecSpki = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      format: "der",
      type: "spki",
    });
    const notRsa = Object.create(ca, { spki: { value: new Uint8Array(ecSpki) } }) as SetCertificate;
    expect(await issuerSignatureVerifies(defaultProvider, notRsa, leaf.signature, leaf.tbs)).toBe(false);
    const garbage = Object.create(ca, { spki: { value: Uint8Array.of(0x30, 3, 2, 1, 1) } }) as SetCertificate;
    expect(await issuerSignatureVerifies(defaultProvider, garbage, leaf.signature, leaf.tbs)).toBe(false);
  });
});

describe("certificateSignedBy", () => {
  test("a verified (certificate, issuer) pair is remembered; a failure and another issuer are not", async () => {
    const { p, verifies } = countingProvider();
    const leaf = fresh(pki.cardholder.certificate);
    const ca = fresh(pki.cardholderCa.certificate);
    const other = fresh(pki.merchantCa.certificate);
    expect(await certificateSignedBy(p, leaf, other)).toBe(false);
    expect(await certificateSignedBy(p, leaf, other)).toBe(false);
    expect(verifies()).toBe(2);
    expect(await certificateSignedBy(p, leaf, ca)).toBe(true);
    expect(await certificateSignedBy(p, leaf, ca)).toBe(true);
    expect(verifies()).toBe(3);
    // The same bytes parsed into another object are judged afresh.
    expect(await certificateSignedBy(p, leaf, fresh(pki.cardholderCa.certificate))).toBe(true);
    expect(verifies()).toBe(4);
    // So is the same pair under another provider.
    const second = countingProvider();
    expect(await certificateSignedBy(second.p, leaf, ca)).toBe(true);
    expect(second.verifies()).toBe(1);
    expect(verifies()).toBe(4);
  });
});
