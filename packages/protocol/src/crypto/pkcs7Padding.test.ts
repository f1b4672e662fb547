import { createCipheriv, randomBytes } from "node:crypto";
import * as fc from "fast-check";
import { removePkcs7Padding } from "./pkcs7Padding";
import { nodeProvider, peculiarProvider } from "./provider";
import { aesCbcDecryptUnchecked } from "./suite";

/** The rule written plainly: last byte n in 1..16, and the last n bytes all equal n. */
function reference(b: Uint8Array): number | undefined {
  if (b.length === 0 || b.length % 16) return undefined;
  const n = b[b.length - 1];
  if (n < 1 || n > 16) return undefined;
  for (let i = 1; i <= n; i++) if (b[b.length - i] !== n) return undefined;
  return b.length - n;
}

describe("removePkcs7Padding", () => {
  it("takes off every valid padding, 1 to 16 bytes", () => {
    for (let n = 1; n <= 16; n++) {
      const block = new Uint8Array(32).fill(0xaa);
      block.fill(n, 32 - n);
      const out = removePkcs7Padding(block);
      expect(out.ok).toBe(true);
      expect(out.plaintext).toEqual(block.subarray(0, 32 - n));
    }
  });

  it.each([
    ["a last byte of 0", Uint8Array.from([...new Array(15).fill(1), 0])],
    ["a last byte above 16", new Uint8Array(16).fill(17)],
    ["a padding byte that differs", Uint8Array.from([...new Array(12).fill(9), 3, 4, 4, 4])],
    ["a length that is not whole blocks", new Uint8Array(15).fill(1)],
    ["nothing", new Uint8Array(0)],
  ])("refuses %s and keeps the whole input", (_, bytes) => {
    const out = removePkcs7Padding(bytes);
    expect(out.ok).toBe(false);
    expect(out.plaintext).toEqual(bytes);
  });

  it("agrees with the plain rule on any input", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 48 }),
        fc.integer({ min: 0, max: 20 }),
        (body, n) => {
          // Half the inputs end in a padding-like run, so the valid cases are not all by chance.
          const bytes = Uint8Array.from([...body, ...new Array(n % 17).fill(n)]);
          const cut = reference(bytes);
          const out = removePkcs7Padding(bytes);
          expect(out.ok).toBe(cut !== undefined);
          expect(out.plaintext.length).toBe(cut ?? bytes.length);
        },
      ),
    );
  });
});

describe("aesCbcDecryptUnchecked", () => {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const plaintext = Uint8Array.from(randomBytes(45));
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  const lastFlipped = ciphertext.slice();
  // The padding byte of the last block comes from this byte of the one before it.
  lastFlipped[ciphertext.length - 17] ^= 0x40;

  it.each([
    ["node", nodeProvider()],
    ["peculiar", peculiarProvider()],
  ])("under %s decrypts, and reports a bad padding without throwing", async (_, p) => {
    expect(await aesCbcDecryptUnchecked(p, key, iv, ciphertext)).toEqual({ plaintext, ok: true });
    const bad = await aesCbcDecryptUnchecked(p, key, iv, lastFlipped);
    expect(bad.ok).toBe(false);
    expect(bad.plaintext.length).toBe(ciphertext.length);
    const short = await aesCbcDecryptUnchecked(p, key, iv, ciphertext.subarray(1));
    expect(short.ok).toBe(false);
  });
});
