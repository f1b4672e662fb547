import { ValidatedChainCache } from "../cert/validatedChainCache";
import { nodeProvider } from "../crypto/provider";
import { buildPReqDualSigned } from "../purchase/cardholder";
import { verifyPReqAsMerchant } from "../purchase/merchant";
import type { PReqDualSigned } from "../schema/purchase";
import { purchaseFixture } from "../testing/purchaseFixture";
import { measureFailureTiming } from "./failureTiming";

it("every damaged layer is refused with the one answer, the valid PI opens, and each path is timed", async () => {
  const p = nodeProvider();
  const f = await purchaseFixture(p);
  const built = await buildPReqDualSigned(p, f.input);
  const pReq = { type: "pReqDualSigned" as const, value: built.pReq as PReqDualSigned };
  const merchant = await verifyPReqAsMerchant(p, pReq, f.order, f.trust);
  const ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
  const timing = await measureFailureTiming(
    p,
    built.pReq.piDualSigned,
    ctx,
    { ...f.trust, chainCache: new ValidatedChainCache() },
    0.05,
  );
  expect(timing.map((t) => [t.layer, t.outcome])).toEqual([
    ["none (valid PI)", "opened"],
    ["RSA block (OAEP)", "decodingFailure"],
    ["symmetric padding (last ciphertext byte)", "decodingFailure"],
    ["inner structure (first ciphertext byte)", "decodingFailure"],
    ["dual signature (last signature byte)", "decodingFailure"],
  ]);
  for (const t of timing) expect(t.rate.runs).toBeGreaterThan(0);
});
