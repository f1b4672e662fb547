import { ValidatedChainCache } from "../cert/validatedChainCache";
import { nodeProvider } from "../crypto/provider";
import type { SetError } from "../errors";
import type { PReqDualSigned } from "../schema/purchase";
import { createTestPki, type TestPki } from "../testing/pki";
import { type PurchaseFixture, purchaseFixture } from "../testing/purchaseFixture";
import { buildPReqDualSigned } from "./cardholder";
import { type AuthorizationContext, openPIDualSigned } from "./gateway";
import { verifyPReqAsMerchant } from "./merchant";
import { PurchaseCheckError } from "./purchaseCheck";

const p = nodeProvider();
let pki: TestPki;
let f: PurchaseFixture;
let pReq: PReqDualSigned;
let ctx: AuthorizationContext;

beforeAll(async () => {
  pki = await createTestPki(p);
  f = await purchaseFixture(p, { pki });
  pReq = (await buildPReqDualSigned(p, f.input)).pReq;
  const merchant = await verifyPReqAsMerchant(p, { type: "pReqDualSigned", value: pReq }, f.order, f.trust);
  ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
});

const asPReq = (value: PReqDualSigned) => ({ type: "pReqDualSigned" as const, value });
const flipLast = (bytes: Uint8Array) => {
  const copy = new Uint8Array(bytes);
  copy[copy.length - 1] ^= 0x01;
  return copy;
};

async function failure(promise: Promise<unknown>): Promise<PurchaseCheckError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PurchaseCheckError);
  return error as PurchaseCheckError;
}

describe("a verifier's cache of validated cardholder chains", () => {
  it("a second merchant verification with a warm cache is answered from it, with the same result", async () => {
    const trust = { ...f.trust, chainCache: new ValidatedChainCache() };
    const cold = await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    expect(trust.chainCache.hits).toBe(0);
    expect(trust.chainCache.size).toBe(1);
    const warm = await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    expect(trust.chainCache.hits).toBe(1);
    expect(warm.form).toBe(cold.form);
    expect(warm.hOIData).toEqual(cold.hOIData);
    expect(warm.hod).toEqual(cold.hod);
    expect(warm.cardholderCertificate?.der).toEqual(cold.cardholderCertificate?.der);
    const uncached = await verifyPReqAsMerchant(p, asPReq(pReq), f.order, f.trust);
    expect(warm.cardholderCertificate?.der).toEqual(uncached.cardholderCertificate?.der);
  });

  it("the gateway, too, reuses the chain and returns what it returns uncached", async () => {
    const trust = { ...f.trust, chainCache: new ValidatedChainCache() };
    await openPIDualSigned(p, pReq.piDualSigned, ctx, trust);
    const warm = await openPIDualSigned(p, pReq.piDualSigned, ctx, trust);
    expect(trust.chainCache.hits).toBe(1);
    const uncached = await openPIDualSigned(p, pReq.piDualSigned, ctx, f.trust);
    expect(warm.panData).toEqual(uncached.panData);
    expect(warm.piHead).toEqual(uncached.piHead);
    expect(warm.cardholderCertificate?.der).toEqual(uncached.cardholderCertificate?.der);
  });

  it("a cached chain is not used once `at` passes a notAfter: the expiry check still fires", async () => {
    const chainCache = new ValidatedChainCache();
    const trust = { ...f.trust, chainCache };
    const cold = await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    const notAfter = cold.cardholderCertificate?.notAfter.getTime() ?? 0;
    // The last instant of validity is still inside the window.
    await verifyPReqAsMerchant(p, asPReq(pReq), f.order, { ...trust, at: new Date(notAfter) });
    expect(chainCache.hits).toBe(1);
    const error = await failure(
      verifyPReqAsMerchant(p, asPReq(pReq), f.order, { ...trust, at: new Date(notAfter + 1000) }),
    );
    expect(error.check).toBe("cardholderCertificate");
    expect(error.code).toBe("expiredCertificate");
    expect(chainCache.hits).toBe(1);
  });

  it("a cached chain is not used before a notBefore either", async () => {
    const chainCache = new ValidatedChainCache();
    const trust = { ...f.trust, chainCache };
    const cold = await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    const notBefore = cold.cardholderCertificate?.notBefore.getTime() ?? 0;
    const error = await failure(
      verifyPReqAsMerchant(p, asPReq(pReq), f.order, { ...trust, at: new Date(notBefore - 1000) }),
    );
    expect(error.code).toBe("invalidCertificate");
    expect(chainCache.hits).toBe(0);
  });

  it("a different pinned root does not hit the cache", async () => {
    const chainCache = new ValidatedChainCache();
    const trust = { ...f.trust, chainCache };
    await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    const error = await failure(
      verifyPReqAsMerchant(p, asPReq(pReq), f.order, { ...trust, pinnedRoot: pki.nextRoot.certificate }),
    );
    expect(error.check).toBe("cardholderCertificate");
    expect(chainCache.hits).toBe(0);
    // A refused chain is not remembered.
    expect(chainCache.size).toBe(1);
  });

  it("a tampered dual signature still fails with a warm cache, at the merchant and the gateway", async () => {
    const chainCache = new ValidatedChainCache();
    const trust = { ...f.trust, chainCache };
    await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    const piDualSigned = { ...pReq.piDualSigned, piSignature: flipLast(pReq.piDualSigned.piSignature) };
    const atMerchant = await failure(
      verifyPReqAsMerchant(p, asPReq({ ...pReq, piDualSigned }), f.order, trust),
    );
    expect(atMerchant.check).toBe("piSignatureInvalid");
    expect(atMerchant.code).toBe("signatureFailure");
    // At the gateway the dual signature sits behind the envelope: the one generic failure.
    const atGateway = await openPIDualSigned(p, piDualSigned, ctx, trust).then(
      () => undefined,
      (e: unknown) => e as SetError,
    );
    expect(atGateway?.code).toBe("decodingFailure");
    expect(atGateway?.message).toContain("decryption failed");
    // Tampered signed content, too: the signature is checked before the cache is consulted.
    const hPIData = flipLast(pReq.oiDualSigned.hPIData.digest);
    const swapped = {
      ...pReq,
      oiDualSigned: { ...pReq.oiDualSigned, hPIData: { ...pReq.oiDualSigned.hPIData, digest: hPIData } },
    };
    expect((await failure(verifyPReqAsMerchant(p, asPReq(swapped), f.order, trust))).check).toBe(
      "piSignatureInvalid",
    );
    // The untampered message still verifies from the cache.
    await verifyPReqAsMerchant(p, asPReq(pReq), f.order, trust);
    expect(chainCache.hits).toBeGreaterThanOrEqual(1);
  });
});
