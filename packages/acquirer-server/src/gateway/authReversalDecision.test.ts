import { type JudgedAuthReversal, toHex } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import { decideAuthReversal } from "./authReversalDecision";

const id = (n: number) => new Uint8Array(20).fill(n);
const now = new Date(Date.UTC(2026, 11, 6, 12));
const judged: JudgedAuthReversal = {
  kind: "reverse",
  authRRPID: id(3),
  xid: id(2),
  newAmount: 400n,
  authorized: 1000n,
  currency: 392,
};
const row: AuthorizationRow = {
  authRRPID: toHex(id(3)),
  xid: toHex(id(2)),
  merchantID: "M1",
  brand: "Visa",
  amount: 1000,
  currency: 392,
  amtExp10: 0,
  authCode: "approved",
  held: 1000,
  holdUntil: new Date(now.getTime() + 3600_000).toISOString(),
  cardId: "card",
  requestHash: "h",
  response: new Uint8Array(0),
  created: "",
};
const decide = (
  r: AuthorizationRow | undefined,
  {
    captured = false,
    merID = "M1",
    brand = "Visa",
    j = judged,
  }: { captured?: boolean; merID?: string; brand?: string; j?: JudgedAuthReversal } = {},
) => decideAuthReversal(j, merID, brand, { authorization: () => r, captured: () => captured }, now);

describe("decideAuthReversal", () => {
  it("shrinks the hold from what it holds to the new amount, or to zero", () => {
    expect(decide(row)).toMatchObject({ authRevCode: "approved", hold: { from: 1000, to: 400 } });
    expect(decide(row, { j: { ...judged, newAmount: 0n } })).toMatchObject({ hold: { from: 1000, to: 0 } });
  });

  it("passes protocol's refusal on, changing nothing", () => {
    const refused: JudgedAuthReversal = {
      kind: "refused",
      authRRPID: id(3),
      xid: id(2),
      authRevCode: "invalidCapToken",
      reason: "r",
    };
    expect(decide(row, { j: refused })).toEqual({ authRevCode: "invalidCapToken", reason: "r" });
  });

  it("no approved record, or one of another merchant, XID or brand, is originalNotFound", () => {
    for (const d of [
      decide(undefined),
      decide({ ...row, authCode: "declined" }),
      decide(row, { merID: "M2" }),
      decide({ ...row, xid: toHex(id(9)) }),
      decide(row, { brand: "MasterCard" }),
    ])
      expect(d).toMatchObject({ authRevCode: "originalNotFound" });
    expect(decide(undefined).hold).toBeUndefined();
  });

  it("a captured authorization is alreadyCaptured; a lapsed or released hold is declined", () => {
    expect(decide(row, { captured: true })).toMatchObject({ authRevCode: "alreadyCaptured" });
    expect(decide({ ...row, holdUntil: now.toISOString() })).toMatchObject({ authRevCode: "declined" });
    expect(decide({ ...row, held: 0 })).toMatchObject({ authRevCode: "declined" });
  });

  it("a new amount no longer below what it holds (reduced by another reversal meanwhile) is amountError", () => {
    expect(decide({ ...row, held: 400 })).toMatchObject({ authRevCode: "amountError" });
    expect(decide({ ...row, held: 300 }).hold).toBeUndefined();
  });
});
