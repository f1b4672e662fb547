import { ValidatedChainCache } from "../cert/validatedChainCache";
import { decryptionFailed } from "../crypto/envelopedData";
import { nodeProvider, webCryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { PReqDualSigned } from "../schema/purchase";
import { damagedPI, piLayers } from "../testing/damagedPI";
import { purchaseFixture } from "../testing/purchaseFixture";
import { buildPReqDualSigned } from "./cardholder";
import { openPIDualSigned } from "./gateway";
import { verifyPReqAsMerchant } from "./merchant";

/**
 * Node's WebCrypto behind a wrapper that writes down every subtle call (a wrapper is not Node's own
 * WebCrypto, so the suite takes the WebCrypto path and every primitive shows up here).
 */
function recordingProvider() {
  const calls: string[] = [];
  const subtle = globalThis.crypto.subtle;
  const recorded = new Proxy(subtle, {
    get(target, name: string) {
      const f = Reflect.get(target, name) as unknown;
      if (typeof f !== "function") return f;
      return (...args: unknown[]) => {
        const algorithm = args[0] as string | { name?: string };
        calls.push(`${name}(${typeof algorithm === "string" ? algorithm : (algorithm?.name ?? "")})`);
        return (f as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const crypto = {
    subtle: recorded,
    getRandomValues: <T extends ArrayBufferView<ArrayBuffer>>(a: T) => globalThis.crypto.getRandomValues(a),
  } as unknown as Crypto;
  return { p: webCryptoProvider("recording", crypto), calls };
}

describe("the gateway's PI check rejects implicitly", () => {
  const node = nodeProvider();
  let setup: Awaited<ReturnType<typeof build>>;
  async function build() {
    const f = await purchaseFixture(node);
    const built = await buildPReqDualSigned(node, f.input);
    const pReq = { type: "pReqDualSigned" as const, value: built.pReq as PReqDualSigned };
    const merchant = await verifyPReqAsMerchant(node, pReq, f.order, f.trust);
    const ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
    return { f, pi: built.pReq.piDualSigned, ctx };
  }
  beforeAll(async () => {
    setup = await build();
  });

  /** The subtle calls one PI check makes, and what it answered. */
  async function stepsOf(pi: typeof setup.pi) {
    const { p, calls } = recordingProvider();
    const trust = { ...setup.f.trust, chainCache: new ValidatedChainCache() };
    // Warm: the cardholder's chain and the keys are known, as at a gateway that has seen the card.
    await openPIDualSigned(p, setup.pi, setup.ctx, trust);
    calls.length = 0;
    const answer = await openPIDualSigned(p, pi, setup.ctx, trust).then(
      () => "opened",
      (e: unknown) => (e instanceof SetError ? `${e.code} | ${e.message}` : `untyped ${String(e)}`),
    );
    return { answer, calls: [...calls] };
  }

  const oneError = `decodingFailure | ${decryptionFailed().message}`;

  it.each(piLayers)(
    "a PI damaged at %s is refused with the one error after the steps a refused signature takes",
    async (layer) => {
      const signature = await stepsOf(damagedPI(setup.pi, "signature"));
      const damaged = await stepsOf(damagedPI(setup.pi, layer));
      expect(damaged.answer).toBe(oneError);
      expect(signature.answer).toBe(oneError);
      // RSA-OAEP, AES-CBC, the digests and the RSA verification of the dual signature, in the same order.
      expect(damaged.calls).toEqual(signature.calls);
      expect(damaged.calls).toContain("decrypt(RSA-OAEP)");
      expect(damaged.calls).toContain("decrypt(AES-CBC)");
      expect(damaged.calls).toContain("verify(RSASSA-PKCS1-v1_5)");
    },
  );

  it("the valid PI opens, through the same primitives up to its signature", async () => {
    const valid = await stepsOf(setup.pi);
    const refused = await stepsOf(damagedPI(setup.pi, "rsaBlock"));
    expect(valid.answer).toBe("opened");
    const lastVerify = valid.calls.lastIndexOf("verify(RSASSA-PKCS1-v1_5)");
    expect(refused.calls).toEqual(valid.calls.slice(0, lastVerify + 1));
  });
});
