import { nodeProvider } from "../crypto/provider";
import { createTestPki, type TestPki } from "../testing/pki";
import { validateChain } from "./chain";
import { ValidatedChainCache } from "./validatedChainCache";

const p = nodeProvider();

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const chainOf = (name: "cardholder" | "merchantSig" | "gatewaySig", at = new Date()) =>
  validateChain(p, pki[name].certificate, pki.intermediatesOf(name), pki.root.certificate, at);

describe("ValidatedChainCache", () => {
  test("answers for the exact leaf bytes under the exact root, inside the validity window", async () => {
    const cache = new ValidatedChainCache();
    const chain = await chainOf("cardholder");
    await cache.put(chain);
    const leaf = pki.cardholder.certificate;
    const now = new Date();
    expect(await cache.get(Uint8Array.from(leaf), pki.root.certificate, now)).toBe(chain);
    expect(await cache.get(leaf, pki.nextRoot.certificate, now)).toBeUndefined();
    // Same TBSCertificate (same thumb), different signature bytes: not the certificate that was validated.
    const altered = new Uint8Array(leaf);
    altered[altered.length - 1] ^= 0x01;
    expect(await cache.get(altered, pki.root.certificate, now)).toBeUndefined();
    const until = Math.min(...chain.path.map((c) => c.notAfter.getTime()));
    expect(await cache.get(leaf, pki.root.certificate, new Date(until))).toBe(chain);
    expect(await cache.get(leaf, pki.root.certificate, new Date(until + 1))).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([2, 3]);
  });

  test("misses when the message carries a certificate the entry has not seen, on its path or alongside", async () => {
    const cache = new ValidatedChainCache();
    const chain = await chainOf("merchantSig");
    const leaf = pki.merchantSig.certificate;
    const path = pki.intermediatesOf("merchantSig");
    // Validated with the key-exchange certificate alongside the path, as an AuthReq carries it.
    await cache.put(chain, [leaf, pki.merchantKex.certificate, ...path]);
    const now = new Date();
    expect(await cache.get(leaf, pki.root.certificate, now, [leaf, ...path])).toBe(chain);
    expect(await cache.get(leaf, pki.root.certificate, now, [pki.merchantKex.certificate, ...path])).toBe(
      chain,
    );
    const damaged = new Uint8Array(path[0]);
    damaged[damaged.length - 1] ^= 0x01;
    expect(
      await cache.get(leaf, pki.root.certificate, now, [leaf, damaged, ...path.slice(1)]),
    ).toBeUndefined();
    expect(
      await cache.get(leaf, pki.root.certificate, now, [leaf, pki.gatewayKex.certificate]),
    ).toBeUndefined();
  });

  test("least recently used chains leave first", async () => {
    const cache = new ValidatedChainCache(2);
    const [a, b, c] = await Promise.all([
      chainOf("cardholder"),
      chainOf("merchantSig"),
      chainOf("gatewaySig"),
    ]);
    const now = new Date();
    await cache.put(a);
    await cache.put(b);
    await cache.get(a.leaf.der, pki.root.certificate, now);
    await cache.put(c);
    expect(cache.size).toBe(2);
    expect(await cache.get(b.leaf.der, pki.root.certificate, now)).toBeUndefined();
    expect(await cache.get(a.leaf.der, pki.root.certificate, now)).toBe(a);
    expect(await cache.get(c.leaf.der, pki.root.certificate, now)).toBe(c);
  });

  test("refuses a useless capacity", () => {
    expect(() => new ValidatedChainCache(0)).toThrow(RangeError);
  });
});
