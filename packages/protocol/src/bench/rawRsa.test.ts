import { nodeProvider, peculiarProvider } from "../crypto/provider";
import { rawRsaOps } from "./rawRsa";

describe("rawRsaOps: the raw operations the bench compares with are the suite's real calls", () => {
  for (const p of [nodeProvider(), peculiarProvider()]) {
    it(`${p.name}: each closure does its operation`, async () => {
      const ops = await rawRsaOps(p);
      const signature = (await ops.sign()) as Uint8Array;
      expect(signature).toHaveLength(256);
      // PKCS#1 v1.5 is deterministic: the same message and key give the same signature.
      expect(Buffer.from((await ops.sign()) as Uint8Array)).toEqual(Buffer.from(signature));
      expect(await ops.verify()).toBe(true);
      const sealed = (await ops.encrypt()) as Uint8Array;
      expect(sealed).toHaveLength(256);
      // OAEP is randomized: two encryptions of the same block differ.
      expect(Buffer.from((await ops.encrypt()) as Uint8Array)).not.toEqual(Buffer.from(sealed));
      expect((await ops.decrypt()) as Uint8Array).toHaveLength(150);
    });
  }
});
