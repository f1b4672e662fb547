import type { schema } from "@setlab/protocol";
import { authorizationRow } from "./authorizationRecord";
import type { AuthDecision } from "./authResData";
import type { TakenAuthReq } from "./takenAuthReq";

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);
const tags = {
  authRRTags: { rrpid: bytes(20, 0x11) },
  transIDs: { xid: bytes(20, 0x22), lid_C: bytes(20, 0x33) },
} as unknown as schema.AuthTags;
const taken = {
  data: {
    authReqItem: {
      authTags: tags,
      authReqPayload: { authReqAmt: { currency: 392, amount: 20, amtExp10: 3 } },
    },
  },
  merID: "MER-1",
  keys: { brand: "Visa" },
  fingerprint: "f".repeat(64),
  at: new Date("2026-06-01T10:00:00Z"),
} as unknown as TakenAuthReq;
const response = new Uint8Array([0x30, 0x00]);
const lifetimes = { holdLifetimeMs: 7 * 24 * 3600_000, partialHoldLifetimeMs: 24 * 3600_000 };

describe("authorizationRow", () => {
  test("an approval: the AuthTags' ids in hex, the amount as asked, the hold on the account", () => {
    const approved: AuthDecision = {
      authCode: "approved",
      respReason: "issuer",
      approvalCode: "A1B2C3",
      hold: 20000,
      reason: "approve",
      cardId: "visa-approve",
    };
    expect(authorizationRow(taken, approved, response, lifetimes)).toEqual({
      authRRPID: "11".repeat(20),
      xid: "22".repeat(20),
      merchantID: "MER-1",
      brand: "Visa",
      amount: 20,
      currency: 392,
      amtExp10: 3,
      authCode: "approved",
      respReason: "issuer",
      approvalCode: "A1B2C3",
      held: 20000,
      holdUntil: "2026-06-08T10:00:00.000Z",
      cardId: "visa-approve",
      requestHash: "f".repeat(64),
      response,
      created: "2026-06-01T10:00:00.000Z",
    });
  });

  test("a refusal before the issuer: no RespReason, approval code or account, nothing held", () => {
    const row = authorizationRow(
      taken,
      { authCode: "cardCertRequired", hold: 0, reason: "unsigned" },
      response,
      lifetimes,
    );
    expect(row).toMatchObject({ authCode: "cardCertRequired", held: 0 });
    expect("approvalCode" in row || "cardId" in row || "respReason" in row || "holdUntil" in row).toBe(false);
  });

  test("a partial approval's hold lapses after the partial lifetime", () => {
    const partial: AuthDecision = {
      authCode: "approved",
      hold: 500,
      partial: { currency: 392, exponent: 0 },
      reason: "approvePartial",
      cardId: "visa-debit",
    };
    expect(authorizationRow(taken, partial, response, lifetimes).holdUntil).toBe("2026-06-02T10:00:00.000Z");
  });
});
