import { nodeProvider } from "../crypto/provider";
import { cachedTestKeyPair } from "./pki";
import { type PooledDer, type PoolUse, runKeyPair, TestKeyPool } from "./testKeyPool";

const der = (use: PoolUse, index: number): PooledDer => ({
  pkcs8: new Uint8Array([1, index]),
  spki: new TextEncoder().encode(`${use}-${index}`) as Uint8Array<ArrayBuffer>,
});

describe("TestKeyPool", () => {
  it("gives one slot the same pair every time and the n-th new slot of a use the n-th pair", () => {
    const asked: string[] = [];
    const pool = new TestKeyPool((use, index) => {
      asked.push(`${use}-${index}`);
      return der(use, index);
    });
    expect(new TextDecoder().decode(pool.pairFor("root", "ca")!.spki)).toBe("ca-0");
    expect(new TextDecoder().decode(pool.pairFor("brandCa", "ca")!.spki)).toBe("ca-1");
    expect(new TextDecoder().decode(pool.pairFor("root", "ca")!.spki)).toBe("ca-0");
    expect(new TextDecoder().decode(pool.pairFor("merchantSig", "signature")!.spki)).toBe("signature-0");
    expect(asked).toEqual(["ca-0", "ca-1", "ca-0", "signature-0"]);
  });

  it("has nothing where its source has nothing", () => {
    expect(new TestKeyPool(() => null).pairFor("root", "ca")).toBeNull();
  });
});

describe("the run's key pairs", () => {
  it("are shared files under jest: the same pair on every ask, a different one per index", () => {
    const first = runKeyPair("signature", 0);
    expect(first).not.toBeNull();
    expect(Buffer.from(runKeyPair("signature", 0)!.pkcs8).equals(Buffer.from(first!.pkcs8))).toBe(true);
    expect(Buffer.from(runKeyPair("signature", 1)!.pkcs8).equals(Buffer.from(first!.pkcs8))).toBe(false);
  });

  it("come out of cachedTestKeyPair as working keys", async () => {
    const p = nodeProvider();
    const keys = await cachedTestKeyPair("poolProbe", "signature", p);
    const data = new TextEncoder().encode("pooled");
    const sig = await p.crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, data);
    expect(await p.crypto.subtle.verify("RSASSA-PKCS1-v1_5", keys.publicKey, sig, data)).toBe(true);
  });
});
