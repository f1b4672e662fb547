/** Pairing codes, their bits and commitments; the failed-pairing throttle with an injected clock. */
import {
  CODE_BITS,
  codeBit,
  isPairingCode,
  openCommitment,
  PairingThrottle,
  pairingCommitment,
  randomPairingCode,
} from "./index";

const crypto = globalThis.crypto;

describe("pairing code", () => {
  test("6 digits only", () => {
    expect(isPairingCode("012345")).toBe(true);
    for (const bad of ["12345", "1234567", "12a456", " 123456", "", "١٢٣٤٥٦"])
      expect(isPairingCode(bad)).toBe(false);
  });

  test("random codes are 6 digits and vary", () => {
    const codes = new Set(Array.from({ length: 50 }, () => randomPairingCode(crypto)));
    for (const c of codes) expect(isPairingCode(c)).toBe(true);
    expect(codes.size).toBeGreaterThan(40);
  });

  test("20 bits, most significant first", () => {
    expect(Array.from({ length: CODE_BITS }, (_, i) => codeBit("999999", i)).join("")).toBe(
      (999999).toString(2),
    );
    expect(Array.from({ length: CODE_BITS }, (_, i) => codeBit("000001", i)).join("")).toBe(
      `${"0".repeat(19)}1`,
    );
    expect(() => codeBit("000001", 20)).toThrow(/round/);
    expect(() => codeBit("abc", 0)).toThrow(/6 digits/);
  });

  test("a commitment opens only with its nonce, bit, round, role and both keys", async () => {
    const nonce = crypto.getRandomValues(new Uint8Array(16));
    const a = crypto.getRandomValues(new Uint8Array(65));
    const b = crypto.getRandomValues(new Uint8Array(65));
    const c = await pairingCommitment(crypto, "pc", 3, nonce, a, b, 1);
    expect(await openCommitment(crypto, "pc", 3, nonce, c, a, b, 1)).toBe(true);
    expect(await openCommitment(crypto, "pc", 3, nonce, c, a, b, 0)).toBe(false);
    expect(await openCommitment(crypto, "pc", 4, nonce, c, a, b, 1)).toBe(false);
    expect(await openCommitment(crypto, "phone", 3, nonce, c, a, b, 1)).toBe(false);
    expect(await openCommitment(crypto, "pc", 3, nonce, c, b, a, 1)).toBe(false);
    expect(await openCommitment(crypto, "pc", 3, new Uint8Array(16), c, a, b, 1)).toBe(false);
  });
});

describe("failed-pairing throttle", () => {
  test("locks after 3 failures in a row, for the lockout only", () => {
    let now = 1_000;
    const t = new PairingThrottle({ maxFailures: 3, lockoutMs: 10_000, now: () => now });
    expect(t.failed()).toBe(false);
    expect(t.failed()).toBe(false);
    expect(t.lockedFor()).toBe(0);
    expect(t.failed()).toBe(true);
    expect(t.lockedFor()).toBe(10_000);
    now += 9_999;
    expect(t.lockedFor()).toBe(1);
    now += 1;
    expect(t.lockedFor()).toBe(0);
  });

  test("a success resets the count", () => {
    const t = new PairingThrottle({ maxFailures: 2, lockoutMs: 5_000, now: () => 0 });
    t.failed();
    t.succeeded();
    expect(t.failed()).toBe(false);
    expect(t.lockedFor()).toBe(0);
    expect(t.failed()).toBe(true);
  });

  test("bad settings are refused", () => {
    expect(() => new PairingThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => new PairingThrottle({ lockoutMs: -1 })).toThrow(RangeError);
  });
});
