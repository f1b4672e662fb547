import { bytesEqual } from "../asn1/tlv";
import type { Trust } from "../cert/trust";
import { ValidatedChainCache } from "../cert/validatedChainCache";
import { nodeProvider } from "../crypto/provider";
import { createTestPki, type TestPki } from "../testing/pki";
import { rejection } from "./fixture.test-helper";
import { checkPartyCertificate } from "./partyCertificate";

const p = nodeProvider();

describe("checkPartyCertificate", () => {
  let pki: TestPki;
  let trust: Trust;
  beforeAll(async () => {
    pki = await createTestPki(p);
    trust = { pinnedRoot: pki.root.certificate, at: new Date() };
  });
  const merchantSig = () => pki.merchantSig.certificate;
  const carried = () => pki.intermediatesOf("merchantSig");

  it("accepts a merchant signature certificate chained through the carried CAs, of its brand", async () => {
    const { leaf: cert } = await checkPartyCertificate(p, merchantSig(), carried(), trust, {
      role: "mer",
      use: "signature",
      brand: "Visa",
    });
    expect(bytesEqual(cert.der, merchantSig())).toBe(true);
  });

  it("finds the CAs among the verifier's own intermediates too", async () => {
    await expect(
      checkPartyCertificate(
        p,
        merchantSig(),
        [],
        { ...trust, intermediates: carried() },
        { role: "mer", use: "signature" },
      ),
    ).resolves.toBeDefined();
  });

  it("refuses another role, another use, another brand", async () => {
    const wrongRole = await rejection(
      checkPartyCertificate(p, merchantSig(), carried(), trust, { role: "pgwy", use: "signature" }),
    );
    expect(wrongRole.code).toBe("invalidCertificate");
    const wrongUse = await rejection(
      checkPartyCertificate(p, merchantSig(), carried(), trust, { role: "mer", use: "keyEncipherment" }),
    );
    expect(wrongUse.code).toBe("invalidCertificate");
    const wrongBrand = await rejection(
      checkPartyCertificate(p, merchantSig(), carried(), trust, {
        role: "mer",
        use: "signature",
        brand: "JCB",
      }),
    );
    expect(wrongBrand.code).toBe("invalidCertificate");
  });

  it("refuses a certificate whose chain is missing, expired, or under another root", async () => {
    const use = { role: "mer", use: "signature" } as const;
    expect((await rejection(checkPartyCertificate(p, merchantSig(), [], trust, use))).code).toBe(
      "invalidCertificate",
    );
    const late = { ...trust, at: new Date(Date.UTC(2200, 0, 1)) };
    expect((await rejection(checkPartyCertificate(p, merchantSig(), carried(), late, use))).code).toBe(
      "expiredCertificate",
    );
    const other = await createTestPki(p, { serialSeed: 500 });
    const otherRoot = { ...trust, pinnedRoot: other.root.certificate };
    expect((await rejection(checkPartyCertificate(p, merchantSig(), carried(), otherRoot, use))).code).toBe(
      "invalidCertificate",
    );
  });

  it("refuses bytes that are no certificate with a SetError", async () => {
    const e = await rejection(
      checkPartyCertificate(p, Uint8Array.of(0x30, 0x00), [], trust, { role: "mer", use: "signature" }),
    );
    expect(["decodingFailure", "invalidCertificate"]).toContain(e.code);
  });

  it("with a chain cache, a cached chain still gets its role, use and brand checked", async () => {
    const cached = { ...trust, chainCache: new ValidatedChainCache() };
    await checkPartyCertificate(p, merchantSig(), carried(), cached, { role: "mer", use: "signature" });
    // Now served from the cache: no carried CAs needed, and the role check still fires.
    await expect(
      checkPartyCertificate(p, merchantSig(), [], cached, { role: "mer", use: "signature" }),
    ).resolves.toBeDefined();
    expect(cached.chainCache.hits).toBe(1);
    expect(
      (
        await rejection(
          checkPartyCertificate(p, merchantSig(), [], cached, { role: "card", use: "signature" }),
        )
      ).code,
    ).toBe("invalidCertificate");
    expect(
      (
        await rejection(
          checkPartyCertificate(p, merchantSig(), [], cached, {
            role: "mer",
            use: "signature",
            brand: "JCB",
          }),
        )
      ).code,
    ).toBe("invalidCertificate");
  });
});
