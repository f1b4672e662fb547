import { bytesEqual } from "../asn1/tlv";
import { nodeProvider } from "../crypto/provider";
import type { AuthRes, AuthResBaggage } from "../schema/payment";
import { createTestPki, type TestPki } from "../testing/pki";
import { openAuthRes, sealAuthRes } from "./authRes";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";

const p = nodeProvider();

async function expectDecryptionFailure(promise: Promise<unknown>) {
  const e = await rejection(promise);
  expect(e.code).toBe("decodingFailure");
  expect(e.message).toContain("decryption failed");
}

const withCapToken: AuthResBaggage = { capToken: { type: "none", value: null } };

describe("AuthRes", () => {
  let pki: TestPki;
  let m: MessageFixture;

  beforeAll(async () => {
    pki = await createTestPki(p);
    m = await messageFixture(p, pki);
  });

  const seal = (signer = m.signer("gatewaySig"), baggage: AuthResBaggage = withCapToken) =>
    sealAuthRes(p, signer, pki.merchantKex.certificate, m.authResData, baggage);

  const envelopeOf = (authRes: AuthRes) => authRes.value.authResEnvelope;
  const withEnvelope = (authRes: AuthRes, authResEnvelope: Uint8Array): AuthRes => ({
    type: "encB",
    value: { ...authRes.value, authResEnvelope },
  });

  it("the merchant opens what the gateway sealed, with or without baggage", async () => {
    for (const baggage of [withCapToken, {}]) {
      const authRes = await seal(undefined, baggage);
      expect(authRes.type).toBe("encB");
      const opened = await openAuthRes(p, m.decrypter("merchantKex"), authRes, m.trust, { brand: "Visa" });
      expect(opened.data).toEqual(m.authResData);
      expect(opened.baggage).toEqual(baggage);
      expect(bytesEqual(opened.gateway.der, pki.gatewaySig.certificate)).toBe(true);
    }
  });

  it("refuses an AuthRes signed with a merchant certificate (role mer, not pgwy)", async () => {
    const authRes = await seal(m.signer("merchantSig"));
    const e = await rejection(openAuthRes(p, m.decrypter("merchantKex"), authRes, m.trust));
    expect(e.code).toBe("invalidCertificate");
  });

  it("refuses a gateway of another brand than the one asked for", async () => {
    const authRes = await seal();
    const e = await rejection(openAuthRes(p, m.decrypter("merchantKex"), authRes, m.trust, { brand: "JCB" }));
    expect(e.code).toBe("invalidCertificate");
  });

  it("swapped baggage is the generic decryption failure", async () => {
    const authRes = await seal(undefined, {});
    const swapped: AuthRes = { type: "encB", value: { ...authRes.value, authResBaggage: withCapToken } };
    await expectDecryptionFailure(openAuthRes(p, m.decrypter("merchantKex"), swapped, m.trust));
  });

  it("a tampered envelope byte is the generic decryption failure", async () => {
    const authRes = await seal();
    const tampered = withEnvelope(authRes, flip(envelopeOf(authRes), -1));
    await expectDecryptionFailure(openAuthRes(p, m.decrypter("merchantKex"), tampered, m.trust));
  });

  it("refuses the EncBX form with messageNotSupported", async () => {
    const authRes = await seal();
    const encBX: AuthRes = { type: "encBX", value: authRes.value };
    const e = await rejection(openAuthRes(p, m.decrypter("merchantKex"), encBX, m.trust));
    expect(e.code).toBe("messageNotSupported");
  });
});
