import { hashedAccountId, peculiarProvider } from "@setlab/protocol";
import { provider, testCard } from "./caFixture.test-helper";

describe("hashedAccountId (protocol), as the CA uses it", () => {
  const { pan, cardExpiry, panSecret } = testCard;

  it("is 64 hex characters, stable, and depends on PAN, expiry and PANSecret", async () => {
    const id = await hashedAccountId(provider, pan, cardExpiry, panSecret);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashedAccountId(provider, pan, cardExpiry, panSecret)).toBe(id);
    expect(await hashedAccountId(provider, "4111111111111112", cardExpiry, panSecret)).not.toBe(id);
    expect(await hashedAccountId(provider, pan, "203011", panSecret)).not.toBe(id);
    expect(await hashedAccountId(provider, pan, cardExpiry, new Uint8Array(20).fill(8))).not.toBe(id);
  });

  it("matches HMAC-SHA-256 over DER SEQUENCE { NumericString PAN, NumericString expiry }", async () => {
    const { createHmac } = await import("node:crypto");
    const der = Buffer.concat([
      Buffer.from([0x30, 2 + pan.length + 2 + 6, 0x12, pan.length]),
      Buffer.from(pan),
      Buffer.from([0x12, 6]),
      Buffer.from(cardExpiry),
    ]);
    const expected = createHmac("sha256", panSecret).update(der).digest("hex");
    expect(await hashedAccountId(provider, pan, cardExpiry, panSecret)).toBe(expected);
    // The WebCrypto path (any other provider) computes the same value as the node:crypto path.
    expect(await hashedAccountId(peculiarProvider(), pan, cardExpiry, panSecret)).toBe(expected);
  });

  it("refuses a malformed PAN, expiry or short PANSecret without echoing the PAN", async () => {
    await expect(hashedAccountId(provider, "4111-1111-1111", cardExpiry, panSecret)).rejects.toThrow(
      /PAN must be/,
    );
    await expect(hashedAccountId(provider, "4111-1111-1111", cardExpiry, panSecret)).rejects.not.toThrow(
      /4111/,
    );
    await expect(hashedAccountId(provider, "41111111111", cardExpiry, panSecret)).rejects.toThrow(
      /PAN must be/,
    );
    await expect(hashedAccountId(provider, pan, "203013", panSecret)).rejects.toThrow(/CardExpiry/);
    await expect(hashedAccountId(provider, pan, cardExpiry, new Uint8Array(15))).rejects.toThrow(/PANSecret/);
  });
});
