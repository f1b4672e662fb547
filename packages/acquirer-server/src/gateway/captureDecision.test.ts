import { type JudgedCaptureItem, type schema, toHex } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import { decideCaptures } from "./captureDecision";

const id = (n: number) => new Uint8Array(20).fill(n);
const item: schema.CapItem = {
  transIDs: { lid_C: id(1), xid: id(2), pReqDate: new Date(0), language: "en" } as schema.TransIDs,
  authRRPID: id(3),
  capPayload: { capDate: new Date(0), capReqAmt: { currency: 392, amount: 700, amtExp10: 0 } },
};
const judged = { kind: "capture", item, amount: 700n, authorized: 1000n, currency: 392 } as JudgedCaptureItem;
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
  cardId: "card",
  requestHash: "h",
  response: new Uint8Array(0),
  created: "",
};
const decide = (r: AuthorizationRow | undefined, captured = false, merID = "M1", brand = "Visa") =>
  decideCaptures([judged], merID, brand, { authorization: () => r, captured: () => captured }, now)[0];
const now = new Date(Date.UTC(2026, 11, 6, 12));

describe("decideCaptures", () => {
  it("captures what was asked and releases the whole hold", () => {
    expect(decide(row)).toMatchObject({
      capCode: "success",
      capAmt: item.capPayload.capReqAmt,
      capture: { authRRPID: row.authRRPID, amount: 700, currency: 392, cardId: "card" },
    });
  });

  it("no approved record is authDataMissing, with nothing booked", () => {
    for (const r of [undefined, { ...row, authCode: "declined" }]) {
      const d = decide(r);
      expect(d).toMatchObject({ capCode: "authDataMissing", capAmt: { amount: 0 } });
      expect(d.capture).toBeUndefined();
    }
  });

  it("a record of another merchant, XID or brand is invalidAuthData", () => {
    expect(decide(row, false, "M2").capCode).toBe("invalidAuthData");
    expect(decide({ ...row, xid: toHex(id(9)) }).capCode).toBe("invalidAuthData");
    expect(decide(row, false, "M1", "JCB").capCode).toBe("invalidAuthData");
  });

  it("an authorization captured before is duplicateRequest", () => {
    expect(decide(row, true).capCode).toBe("duplicateRequest");
  });

  it("an authorization whose hold lapsed, was released or held nothing is authExpired", () => {
    expect(decide({ ...row, holdUntil: now.toISOString() }).capCode).toBe("authExpired");
    expect(decide({ ...row, holdUntil: new Date(now.getTime() - 1000).toISOString() }).capCode).toBe(
      "authExpired",
    );
    expect(decide({ ...row, held: 0 }).capCode).toBe("authExpired");
    expect(decide({ ...row, holdUntil: new Date(now.getTime() + 1000).toISOString() }).capCode).toBe(
      "success",
    );
  });

  it("an item the receiver refused keeps its CapCode", () => {
    const refused = { kind: "refused", item, capCode: "amountError", reason: "over" } as JudgedCaptureItem;
    expect(
      decideCaptures([refused], "M1", "Visa", { authorization: () => row, captured: () => false }, now)[0],
    ).toMatchObject({ capCode: "amountError", capAmt: { amount: 0 } });
  });
});
