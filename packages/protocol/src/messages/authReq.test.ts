import { bytesEqual } from "../asn1/tlv";
import { parseSetCertificate } from "../cert/setCertificate";
import { thumbOf } from "../cert/thumb";
import { nodeProvider } from "../crypto/provider";
import { createTestParty, createTestPki, defaultMerchantData, type TestPki } from "../testing/pki";
import { openAuthReq, sealAuthReq } from "./authReq";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";

const p = nodeProvider();

async function expectDecryptionFailure(promise: Promise<unknown>) {
  const e = await rejection(promise);
  expect(e.code).toBe("decodingFailure");
  expect(e.message).toContain("decryption failed");
}

describe("AuthReq", () => {
  let pki: TestPki;
  let m: MessageFixture;
  let other: MessageFixture;

  beforeAll(async () => {
    pki = await createTestPki(p);
    m = await messageFixture(p, pki);
    other = await messageFixture(p, pki, 1);
  });

  const seal = (signer = m.authSigner(), piDer = m.piDer) =>
    sealAuthReq(p, signer, pki.gatewayKex.certificate, m.authReqData, piDer);

  it("the gateway opens what the merchant sealed: AuthReqData, the PI as the cardholder made it, the merchant", async () => {
    const authReq = await seal();
    expect(bytesEqual(authReq.pi, m.piDer)).toBe(true);
    const opened = await openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust);
    expect(opened.data).toEqual(m.authReqData);
    expect(opened.pi.type).toBe("piDualSigned");
    expect(bytesEqual(opened.piDer, m.piDer)).toBe(true);
    expect(bytesEqual(opened.merchant.der, pki.merchantSig.certificate)).toBe(true);
  });

  it("a tampered envelope byte is the one generic decryption failure", async () => {
    const authReq = await seal();
    for (const at of [-1, -40, -200]) {
      const tampered = { ...authReq, authReqEnvelope: flip(authReq.authReqEnvelope, at) };
      await expectDecryptionFailure(openAuthReq(p, m.decrypter("gatewayKex"), tampered, m.trust));
    }
  });

  it("another purchase's PI swapped in as baggage is the same generic failure", async () => {
    const authReq = await seal();
    expect(bytesEqual(other.piDer, m.piDer)).toBe(false);
    await expectDecryptionFailure(
      openAuthReq(p, m.decrypter("gatewayKex"), { ...authReq, pi: other.piDer }, m.trust),
    );
  });

  it("an AuthReq for another key-exchange key does not open", async () => {
    const authReq = await seal();
    await expectDecryptionFailure(openAuthReq(p, m.decrypter("merchantKex"), authReq, m.trust));
  });

  it("a signature that does not verify is the same generic failure (no CBC padding oracle)", async () => {
    const forged = { ...m.signer("merchantSig"), privateKey: pki.cardholder.privateKey };
    const authReq = await seal(forged);
    await expectDecryptionFailure(openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust));
  });

  it("refuses an AuthReq signed with a cardholder certificate (role card, not mer)", async () => {
    const authReq = await seal(m.signer("cardholder"));
    const e = await rejection(openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust));
    expect(e.code).toBe("invalidCertificate");
  });

  it("refuses a merchant chain to another root", async () => {
    const otherPki = await createTestPki(p, { serialSeed: 700 });
    const authReq = await seal();
    const trust = { ...m.trust, pinnedRoot: otherPki.root.certificate };
    expect((await rejection(openAuthReq(p, m.decrypter("gatewayKex"), authReq, trust))).code).toBe(
      "invalidCertificate",
    );
  });

  it("refuses, as decodingFailure, a baggage that the merchant linked but that is no PI", async () => {
    const notPI = Uint8Array.of(0x04, 0x01, 0x00);
    const authReq = await seal(m.authSigner(), notPI);
    const e = await rejection(openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust));
    expect(e.code).toBe("decodingFailure");
    expect(e.where).toBe("PI");
  });

  it("gives the merchant's key-exchange certificate, the one the AuthReq carried, to seal the AuthRes to", async () => {
    const opened = await openAuthReq(p, m.decrypter("gatewayKex"), await seal(), m.trust, { brand: "Visa" });
    expect(bytesEqual(opened.merchantKex.der, pki.merchantKex.certificate)).toBe(true);
    expect(opened.merID).toBe(opened.merchant.merchantData?.merID);
  });

  it("refuses an AuthReq that carries no merchant key-exchange certificate (missingCertificate)", async () => {
    const e = await rejection(
      openAuthReq(p, m.decrypter("gatewayKex"), await seal(m.signer("merchantSig")), m.trust),
    );
    expect(e.code).toBe("missingCertificate");
  });

  it("refuses a carried key-exchange certificate that is not the signing merchant's (no or another merID)", async () => {
    const bad = await createTestPki(p, { overrides: { merchantKex: { merchantData: null } } });
    const bm = await messageFixture(p, bad);
    const authReq = await sealAuthReq(
      p,
      bm.authSigner(),
      bad.gatewayKex.certificate,
      bm.authReqData,
      bm.piDer,
    );
    const e = await rejection(openAuthReq(p, bm.decrypter("gatewayKex"), authReq, bm.trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("merID");
    expect(e.thumb).toEqual(await parseThumb(bad.merchantKex.certificate));
  });

  it("refuses a key-exchange certificate of the signing merchant's merID issued by another merchant CA, and names it", async () => {
    const visa = { brand: "Visa", roles: ["mca" as const], use: "ca" as const };
    const otherMca = await createTestParty(pki.brandCa, { ...visa, name: "Visa Merchant CA" });
    const kex = await createTestParty(otherMca, {
      name: "Visa Merchant",
      brand: "Visa",
      roles: ["mer"],
      use: "keyEncipherment",
      merchantData: defaultMerchantData,
    });
    const sig = m.signer("merchantSig");
    const authReq = await seal({
      ...sig,
      chain: [kex.certificate, otherMca.certificate, ...(sig.chain ?? [])],
    });
    const e = await rejection(openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("another CA");
    expect(e.thumb).toEqual(await parseThumb(kex.certificate));
  });

  it("refuses a merchant signature certificate carried as the key-exchange one (no keyEncipherment)", async () => {
    const sig = m.signer("merchantSig");
    const authReq = await seal({ ...sig, chain: [pki.gatewaySig.certificate, ...(sig.chain ?? [])] });
    // The gateway's signature certificate is no merchant key-exchange certificate.
    expect((await rejection(openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust))).code).toBe(
      "missingCertificate",
    );
  });

  it("refuses a merchant of another brand than the gateway key the AuthReq was sealed to", async () => {
    const e = await rejection(
      openAuthReq(p, m.decrypter("gatewayKex"), await seal(), m.trust, { brand: "JCB" }),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toEqual(await parseThumb(pki.merchantSig.certificate));
  });

  it("refuses a carried certificate on neither merchant path, and names it", async () => {
    const sig = m.authSigner();
    const authReq = await seal({ ...sig, chain: [...(sig.chain ?? []), pki.cardholderCa.certificate] });
    const e = await rejection(openAuthReq(p, m.decrypter("gatewayKex"), authReq, m.trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toEqual(await parseThumb(pki.cardholderCa.certificate));
  });

  it("names the refused certificate in errorThumb (a cardholder certificate signing as a merchant)", async () => {
    const e = await rejection(
      openAuthReq(p, m.decrypter("gatewayKex"), await seal(m.signer("cardholder")), m.trust),
    );
    expect(e.thumb).toEqual(await parseThumb(pki.cardholder.certificate));
  });
});

const parseThumb = (der: Uint8Array) => thumbOf(p, parseSetCertificate(der));
