/**
 * Property: over any sequence of capture reversals, credits and credit reversals judged by
 * `judgeAgainstCapture` and booked as the gateway books them, what stands credited stays between
 * zero and the capture, nothing is done after a capture reversal, a capture is reversed only with
 * no credit standing, and no request is booked twice.
 */
import fc from "fast-check";
import type { CapRevOrCredKind } from "./capRevOrCred";
import { type CaptureStanding, judgeAgainstCapture } from "./capRevOrCredAmount";
import type { CapRevOrCredItem } from "./receiveCapRevOrCredReq";

const kind = fc.constantFrom<CapRevOrCredKind>("captureReversal", "credit", "creditReversal");
const op = fc.record({
  kind,
  amount: fc.option(fc.bigInt({ min: 1n, max: 1500n }), { nil: undefined }),
  // a small range of dates, so the same request under new ids comes up often
  second: fc.integer({ min: 0, max: 5 }),
});

const itemOf = (o: { amount?: bigint; second: number }, captured: bigint): CapRevOrCredItem =>
  ({
    kind: "accepted",
    item: { capRevOrCredReqDate: new Date(Date.UTC(2026, 0, 1, 0, 0, o.second)) },
    currency: 392,
    captured,
    ...(o.amount !== undefined ? { amount: o.amount } : {}),
  }) as CapRevOrCredItem;

test("credited stays within the capture; nothing after a reversal; nothing booked twice", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 1000n }), fc.array(op, { maxLength: 20 }), (captured, ops) => {
      let s: CaptureStanding = {
        amount: captured,
        currency: 392,
        reversed: false,
        credited: 0n,
        creditReversed: 0n,
        booked: [],
      };
      for (const o of ops) {
        const item = itemOf(o, captured);
        const j = judgeAgainstCapture(o.kind, item, s);
        if (!j.ok) continue;
        const date = item.item.capRevOrCredReqDate.toISOString();
        expect(s.reversed).toBe(false);
        expect(s.booked.some((b) => b.kind === o.kind && b.date === date)).toBe(false);
        if (o.kind === "captureReversal") {
          expect(s.credited - s.creditReversed).toBe(0n);
          expect(j.amount).toBe(captured);
        }
        s = {
          ...s,
          reversed: s.reversed || o.kind === "captureReversal",
          credited: s.credited + (o.kind === "credit" ? j.amount : 0n),
          creditReversed: s.creditReversed + (o.kind === "creditReversal" ? j.amount : 0n),
          booked: [...s.booked, { kind: o.kind, date }],
        };
        const standing = s.credited - s.creditReversed;
        expect(standing >= 0n && standing <= captured).toBe(true);
      }
    }),
    { numRuns: 500 },
  );
});
