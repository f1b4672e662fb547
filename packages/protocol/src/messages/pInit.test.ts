import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesEqual } from "../asn1/tlv";
import { type CryptoProvider, nodeProvider, peculiarProvider } from "../crypto/provider";
import { createTestPki, type TestPki } from "../testing/pki";
import { certThumb, flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { signPInitRes, verifyPInitRes } from "./pInit";
import { signPRes } from "./pRes";

describe.each([
  ["node", nodeProvider()],
  ["peculiar", peculiarProvider()],
] as [string, CryptoProvider][])("PInitRes under the %s provider", (_name, p) => {
  let pki: TestPki;
  let m: MessageFixture;
  let expected: { chall_C: Uint8Array; lid_C: Uint8Array; brandID: string };
  const gateway = () => ({
    certificate: pki.gatewayKex.certificate,
    chain: pki.intermediatesOf("gatewayKex"),
  });

  beforeAll(async () => {
    pki = await createTestPki(p);
    m = await messageFixture(p, pki);
    expected = { chall_C: m.pInitResData.chall_C, lid_C: m.pInitResData.transIDs.lid_C, brandID: "Visa" };
  });

  it("the cardholder verifies what the merchant signed, and finds the gateway key-exchange certificate", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    const v = await verifyPInitRes(p, signed, expected, m.trust);
    expect(v.data).toEqual(m.pInitResData);
    expect(bytesEqual(v.merchant.der, pki.merchantSig.certificate)).toBe(true);
    expect(bytesEqual(v.gatewayKex.der, pki.gatewayKex.certificate)).toBe(true);
  });

  it("without the gateway chain carried, the gateway CA must come from the verifier.s own intermediates", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
    });
    // The gateway CA is neither carried nor known: its chain cannot be built.
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("invalidCertificate");
    const trust = { ...m.trust, intermediates: [pki.gatewayCa.certificate] };
    await expect(verifyPInitRes(p, signed, expected, trust)).resolves.toBeDefined();
  });

  it("refuses a PInitRes signed with a cardholder certificate (role card, not mer)", async () => {
    const signed = await signPInitRes(p, m.signer("cardholder"), m.pInitResData, gateway());
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("invalidCertificate");
  });

  it("refuses a merchant certificate of another brand than the one chosen", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    const e = await rejection(verifyPInitRes(p, signed, { ...expected, brandID: "MasterCard" }, m.trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("brand");
  });

  it("refuses a PEThumb that names no carried certificate", async () => {
    const data = { ...m.pInitResData, peThumb: await certThumb(p, pki.merchantKex.certificate) };
    const signed = await signPInitRes(p, m.signer("merchantSig"), data, gateway());
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("thumbsMismatch");
  });

  it("refuses a PEThumb under another digest algorithm", async () => {
    const peThumb = { ...m.pInitResData.peThumb, digestAlgorithm: { algorithm: "2.16.840.1.101.3.4.2.2" } };
    const signed = await signPInitRes(p, m.signer("merchantSig"), { ...m.pInitResData, peThumb }, gateway());
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("thumbsMismatch");
  });

  it("refuses a gateway certificate that is not for key encipherment", async () => {
    const data = { ...m.pInitResData, peThumb: await certThumb(p, pki.gatewaySig.certificate) };
    const signed = await signPInitRes(p, m.signer("merchantSig"), data, {
      certificate: pki.gatewaySig.certificate,
      chain: pki.intermediatesOf("gatewaySig"),
    });
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("invalidCertificate");
  });

  it("refuses a merchant key-exchange certificate offered as the gateway's (role mer, not pgwy)", async () => {
    const data = { ...m.pInitResData, peThumb: await certThumb(p, pki.merchantKex.certificate) };
    const signed = await signPInitRes(p, m.signer("merchantSig"), data, {
      certificate: pki.merchantKex.certificate,
    });
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("invalidCertificate");
  });

  it("never takes the merchant's own signature certificate as the gateway's (PEThumb naming it)", async () => {
    const data = { ...m.pInitResData, peThumb: await certThumb(p, pki.merchantSig.certificate) };
    const signed = await signPInitRes(p, m.signer("merchantSig"), data, {
      certificate: pki.merchantSig.certificate,
    });
    expect((await rejection(verifyPInitRes(p, signed, expected, m.trust))).code).toBe("thumbsMismatch");
  });

  it("refuses a gateway key-exchange certificate of another brand", async () => {
    const mc = await createTestPki(p, { brand: "MasterCard", serialSeed: 800 });
    const data = { ...m.pInitResData, peThumb: await certThumb(p, mc.gatewayKex.certificate) };
    const signed = await signPInitRes(p, m.signer("merchantSig"), data, {
      certificate: mc.gatewayKex.certificate,
      chain: mc.intermediatesOf("gatewayKex"),
    });
    const e = await rejection(verifyPInitRes(p, signed, expected, m.trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("MasterCard");
  });

  /** A PInitRes from a PKI whose merchant signature or gateway key-exchange certificate has `validity`. */
  async function bentValidity(party: "merchantSig" | "gatewayKex", notBefore: number, notAfter: number) {
    const bent = await createTestPki(p, {
      serialSeed: party === "merchantSig" ? 950 : 960,
      overrides: { [party]: { notBefore: new Date(notBefore), notAfter: new Date(notAfter) } },
    });
    const b = await messageFixture(p, bent);
    const signed = await signPInitRes(p, b.signer("merchantSig"), b.pInitResData, {
      certificate: bent.gatewayKex.certificate,
      chain: bent.intermediatesOf("gatewayKex"),
    });
    const bExpected = { ...expected, chall_C: b.pInitResData.chall_C, lid_C: b.pInitResData.transIDs.lid_C };
    return rejection(verifyPInitRes(p, signed, bExpected, b.trust));
  }
  const day = 86400_000;

  it("refuses a merchant signature certificate not valid yet", async () => {
    const e = await bentValidity("merchantSig", Date.now() + 30 * day, Date.now() + 60 * day);
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("not valid before");
  });

  it("refuses an expired gateway key-exchange certificate, and one not valid yet", async () => {
    expect((await bentValidity("gatewayKex", Date.now() - 30 * day, Date.now() - day)).code).toBe(
      "expiredCertificate",
    );
    const e = await bentValidity("gatewayKex", Date.now() + 30 * day, Date.now() + 60 * day);
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("not valid before");
  });

  it("refuses another Chall-C", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    const e = await rejection(
      verifyPInitRes(p, signed, { ...expected, chall_C: new Uint8Array(20) }, m.trust),
    );
    expect(e.code).toBe("challengeMismatch");
  });

  it("refuses another LID-C", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    const e = await rejection(verifyPInitRes(p, signed, { ...expected, lid_C: Uint8Array.of(9) }, m.trust));
    expect(e.code).toBe("unknownLID");
  });

  it("refuses a tampered signature, and a PRes offered as PInitRes", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    expect((await rejection(verifyPInitRes(p, flip(signed, -1), expected, m.trust))).code).toBe(
      "signatureFailure",
    );
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    expect((await rejection(verifyPInitRes(p, pRes, expected, m.trust))).code).toBe("signatureFailure");
  });

  it("refuses a merchant chain to another root", async () => {
    const other = await createTestPki(p, { serialSeed: 900 });
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    const trust = { ...m.trust, pinnedRoot: other.root.certificate };
    expect((await rejection(verifyPInitRes(p, signed, expected, trust))).code).toBe("invalidCertificate");
  });

  it("refuses an expired merchant certificate", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, gateway());
    const trust = { ...m.trust, at: new Date(Date.UTC(2200, 0, 1)) };
    expect((await rejection(verifyPInitRes(p, signed, expected, trust))).code).toBe("expiredCertificate");
  });
});

describe("PInitRes and OpenSSL", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "setlab-pinitres-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("openssl cms -verify accepts the signature and prints the PInitResData DER", async () => {
    const p = nodeProvider();
    const pki = await createTestPki(p);
    const m = await messageFixture(p, pki);
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
    });
    const file = join(dir, "pinitres.der");
    writeFileSync(file, signed);
    const r = spawnSync(
      "openssl",
      ["cms", "-verify", "-inform", "DER", "-noverify", "-in", file, "-binary"],
      {
        maxBuffer: 1 << 20,
      },
    );
    expect(r.stderr.toString()).toContain("Verification successful");
    expect(r.status).toBe(0);
    const { encodeDer } = await import("../asn1/codec");
    const { PInitResData } = await import("../schema/purchase");
    expect(bytesEqual(new Uint8Array(r.stdout), encodeDer(PInitResData, m.pInitResData))).toBe(true);
  });
});
