import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeProvider } from "../crypto/provider";
import { cachedTestKeyPair } from "./pki";
import { TestKeyPool, testKeyPoolVariable } from "./testKeyPool";

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    pkcs8: privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
    spki: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
  };
};

describe("TestKeyPool", () => {
  const pairs = { ca: [pair(), pair()], signature: [pair()] };

  it("gives one slot the same pair every time and distinct slots distinct pairs", () => {
    const pool = new TestKeyPool(pairs);
    const root = pool.pairFor("root", "ca");
    const brand = pool.pairFor("brandCa", "ca");
    expect(root).not.toBeNull();
    expect(pool.pairFor("root", "ca")).toEqual(root);
    expect(Buffer.from(brand!.pkcs8).equals(Buffer.from(root!.pkcs8))).toBe(false);
  });

  it("has nothing past its end or for a use it lacks", () => {
    const pool = new TestKeyPool(pairs);
    pool.pairFor("a", "ca");
    pool.pairFor("b", "ca");
    expect(pool.pairFor("c", "ca")).toBeNull();
    expect(pool.pairFor("kex", "keyEncipherment")).toBeNull();
  });

  it("refuses a file that is not a pool", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-keypool-"));
    try {
      const file = path.join(dir, "pool.json");
      fs.writeFileSync(file, JSON.stringify({ format: "something else", ca: [] }));
      expect(() => TestKeyPool.read(file)).toThrow(/not a setlab test key pool/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cachedTestKeyPair with the run's pool", () => {
  it("imports the pooled pair, which signs and verifies", async () => {
    if (!process.env[testKeyPoolVariable]) return expect(process.env[testKeyPoolVariable]).toBeUndefined();
    const p = nodeProvider();
    const keys = await cachedTestKeyPair("poolProbe", "signature", p);
    const data = new TextEncoder().encode("pooled");
    const sig = await p.crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, data);
    expect(await p.crypto.subtle.verify("RSASSA-PKCS1-v1_5", keys.publicKey, sig, data)).toBe(true);
    const spki = new Uint8Array(await p.crypto.subtle.exportKey("spki", keys.publicKey));
    const pool = TestKeyPool.read(process.env[testKeyPoolVariable]!);
    const pooled = [...Array(12).keys()].map((i) => pool.pairFor(`s${i}`, "signature")?.spki);
    expect(pooled.some((s) => s && Buffer.from(s).equals(Buffer.from(spki)))).toBe(true);
  });
});
