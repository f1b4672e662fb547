/**
 * Pairing codes, their bits and commitments; the failed-pairing throttle and the HELLO key-pair
 * budget with an injected clock.
 */
import { nodeProvider } from "../../crypto/provider";
import {
  CODE_BITS,
  codeBit,
  isPairingCode,
  KeyPairBudget,
  openCommitment,
  PairingThrottle,
  pairingCommitment,
  randomPairingCode,
} from "./index";

const p = nodeProvider();

describe("pairing code", () => {
  test("6 digits only", () => {
    expect(isPairingCode("012345")).toBe(true);
    for (const bad of ["12345", "1234567", "12a456", " 123456", "", "١٢٣٤٥٦"])
      expect(isPairingCode(bad)).toBe(false);
  });

  test("random codes are 6 digits and vary", () => {
    const codes = new Set(Array.from({ length: 50 }, () => randomPairingCode(p)));
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
    const nonce = p.crypto.getRandomValues(new Uint8Array(16));
    const a = p.crypto.getRandomValues(new Uint8Array(65));
    const b = p.crypto.getRandomValues(new Uint8Array(65));
    const c = await pairingCommitment(p, "pc", 3, nonce, a, b, 1);
    expect(await openCommitment(p, "pc", 3, nonce, c, a, b, 1)).toBe(true);
    expect(await openCommitment(p, "pc", 3, nonce, c, a, b, 0)).toBe(false);
    expect(await openCommitment(p, "pc", 4, nonce, c, a, b, 1)).toBe(false);
    expect(await openCommitment(p, "phone", 3, nonce, c, a, b, 1)).toBe(false);
    expect(await openCommitment(p, "pc", 3, nonce, c, b, a, 1)).toBe(false);
    expect(await openCommitment(p, "pc", 3, new Uint8Array(16), c, a, b, 1)).toBe(false);
  });
});

describe("wrong-code throttle", () => {
  test("locks after 3 refused proofs in a row, for the lockout only", () => {
    let now = 1_000;
    const t = new PairingThrottle({ maxFailures: 3, lockoutMs: 10_000, now: () => now });
    expect(t.failed()).toBe(0);
    expect(t.failed()).toBe(0);
    expect(t.lockedFor()).toBe(0);
    expect(t.failed()).toBe(10_000);
    expect(t.lockedFor()).toBe(10_000);
    now += 9_999;
    expect(t.lockedFor()).toBe(1);
    now += 1;
    expect(t.lockedFor()).toBe(0);
  });

  test("each lockout in a row doubles, up to the longest", () => {
    let now = 0;
    const t = new PairingThrottle({ maxFailures: 1, lockoutMs: 1_000, maxLockoutMs: 5_000, now: () => now });
    const lockouts: number[] = [];
    for (let i = 0; i < 5; i++) {
      lockouts.push(t.failed());
      now += t.lockedFor();
    }
    expect(lockouts).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  test("a wrong proof the moment a lockout ends keeps the doubling: the attacker cannot reset it", () => {
    let now = 0;
    const t = new PairingThrottle({ maxFailures: 1, lockoutMs: 1_000, maxLockoutMs: 4_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      t.failed();
      now += t.lockedFor();
    }
    expect(t.failed()).toBe(4_000);
  });

  test("a quiet spell as long as the longest lockout after the last one, or a success, resets the doubling", () => {
    let now = 0;
    const t = new PairingThrottle({ maxFailures: 1, lockoutMs: 1_000, maxLockoutMs: 4_000, now: () => now });
    t.failed();
    now += t.lockedFor();
    expect(t.failed()).toBe(2_000);
    now += t.lockedFor() + 3_999;
    expect(t.failed()).toBe(4_000); // not quiet long enough
    now += t.lockedFor() + 4_000;
    expect(t.failed()).toBe(1_000);
    now += t.lockedFor();
    t.succeeded();
    expect(t.failed()).toBe(1_000);
  });

  test("proofs refused during a lockout (attempts begun before it) count towards the next one", () => {
    let now = 0;
    const t = new PairingThrottle({ maxFailures: 2, lockoutMs: 1_000, now: () => now });
    t.failed();
    expect(t.failed()).toBe(1_000);
    now += 500;
    expect(t.failed()).toBe(0);
    expect(t.lockedFor()).toBe(500);
    expect(t.failed()).toBe(2_000);
    expect(t.lockedFor()).toBe(2_000);
  });

  test("a success resets the count", () => {
    const t = new PairingThrottle({ maxFailures: 2, lockoutMs: 5_000, now: () => 0 });
    t.failed();
    t.succeeded();
    expect(t.failed()).toBe(0);
    expect(t.lockedFor()).toBe(0);
    expect(t.failed()).toBe(5_000);
  });

  test("the owner's reopening ends a lockout at once and restarts the count and the doubling", () => {
    let now = 0;
    const t = new PairingThrottle({ maxFailures: 1, lockoutMs: 1_000, maxLockoutMs: 8_000, now: () => now });
    expect(t.failed()).toBe(1_000);
    now = 1_000;
    expect(t.failed()).toBe(2_000);
    expect(t.lockedFor()).toBe(2_000);
    t.reopen();
    expect(t.lockedFor()).toBe(0);
    // The next wrong code starts from the first lockout again, not from 4 000.
    expect(t.failed()).toBe(1_000);
  });

  test("bad settings are refused", () => {
    expect(() => new PairingThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => new PairingThrottle({ lockoutMs: -1 })).toThrow(RangeError);
    expect(() => new PairingThrottle({ lockoutMs: 10, maxLockoutMs: 9 })).toThrow(RangeError);
  });
});

describe("key-pair budget for HELLOs", () => {
  test("a burst at once, then the rate; never more than the burst saved up", () => {
    let now = 0;
    const b = new KeyPairBudget({ perSecond: 10, burst: 3, now: () => now });
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    now = 50; // half a key pair's worth
    expect(b.take()).toBe(false);
    now = 100;
    expect([b.take(), b.take()]).toEqual([true, false]);
    now = 100_000; // a long quiet spell saves up no more than the burst
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });

  test("a clock that goes back gives nothing", () => {
    let now = 1_000;
    const b = new KeyPairBudget({ perSecond: 1, burst: 1, now: () => now });
    expect(b.take()).toBe(true);
    now = 0;
    expect(b.take()).toBe(false);
    now = 999;
    expect(b.take()).toBe(false);
  });

  test("bad settings are refused", () => {
    expect(() => new KeyPairBudget({ perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new KeyPairBudget({ perSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new KeyPairBudget({ perSecond: Number.NaN, burst: 1 })).toThrow(RangeError);
  });
});
