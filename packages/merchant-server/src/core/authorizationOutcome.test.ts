import type { schema } from "@setlab/protocol";
import type { Asked } from "./askGateway";
import type { AuthorizationResult } from "./authorization";
import { outcomeOf } from "./authorizationOutcome";

const asked = {
  authRRPID: new Uint8Array(20).fill(0x5a),
  brand: { gateway: { id: "Visa" } },
} as unknown as Asked;
const date = new Date("2026-06-01T10:00:00Z");
const yen = (amount: number): schema.CurrencyAmount => ({ currency: 392, amount, amtExp10: 0 });
const base = { authRRPID: "5a".repeat(20), gateway: "Visa" };

function answered(
  kind: "approved" | "partial" | "declined",
  authCode: schema.AuthCode,
  authAmt: schema.CurrencyAmount,
  extras: { approvalCode?: string; acqCardMsg?: NonNullable<schema.AuthResBaggage["acqCardMsg"]> } = {},
): AuthorizationResult {
  return {
    kind,
    data: {
      authResPayload: {
        authHeader: {
          authCode,
          authAmt,
          responseData: extras.approvalCode ? { authValCodes: { approvalCode: extras.approvalCode } } : {},
        },
      },
    } as unknown as schema.AuthResData,
    baggage: extras.acqCardMsg ? { acqCardMsg: extras.acqCardMsg } : {},
  };
}

describe("outcomeOf", () => {
  test("approved: authorizationPerformed with AuthStatus, the order authorized, the approval recorded", () => {
    const o = outcomeOf(asked, answered("approved", "approved", yen(2000), { approvalCode: "A1B2C3" }), date);
    expect(o.state).toBe("authorized");
    expect(o.payload).toEqual({
      completionCode: "authorizationPerformed",
      results: { authStatus: { authDate: date, authAmt: yen(2000) } },
    });
    expect(o.authorization).toEqual({
      ...base,
      authCode: "approved",
      authAmt: yen(2000),
      authDate: "2026-06-01T10:00:00.000Z",
      approvalCode: "A1B2C3",
      completionCode: "authorizationPerformed",
    });
    expect(o.detail).toBe("approved: AuthAmt 2000e0");
  });

  test("partially approved: performed for the smaller AuthAmt, the order partiallyAuthorized", () => {
    const o = outcomeOf(asked, answered("partial", "approved", yen(500)), date);
    expect(o.state).toBe("partiallyAuthorized");
    expect(o.payload).toEqual({
      completionCode: "authorizationPerformed",
      results: { authStatus: { authDate: date, authAmt: yen(500) } },
    });
    expect(o.detail).toMatch(/^partially approved: AuthAmt 500e0/);
  });

  test("declined: orderRejected and no AuthStatus; an approval of 0 says it authorizes nothing", () => {
    const declined = outcomeOf(asked, answered("declined", "declined", yen(0)), date);
    expect(declined.state).toBe("declined");
    expect(declined.payload).toEqual({ completionCode: "orderRejected" });
    expect(declined.detail).toBe("declined: AuthCode declined");
    expect(declined.authorization).toMatchObject({ authCode: "declined", completionCode: "orderRejected" });
    const zero = outcomeOf(asked, answered("declined", "approved", yen(0)), date);
    expect(zero.detail).toMatch(/AuthAmt 0, which authorizes nothing/);
  });

  test("the acquirer's message to the cardholder rides in Results, whatever the answer", () => {
    const acqCardMsg = { acqCardCode: "thankYou" } as unknown as schema.AuthResBaggage["acqCardMsg"];
    expect(outcomeOf(asked, answered("declined", "declined", yen(0), { acqCardMsg }), date).payload).toEqual({
      completionCode: "orderRejected",
      results: { acqCardMsg },
    });
    expect(
      outcomeOf(asked, answered("approved", "approved", yen(1), { acqCardMsg }), date).payload.results,
    ).toMatchObject({
      acqCardMsg,
    });
  });

  test("failed: orderReceived, the order authorizationFailed, the reason recorded", () => {
    const o = outcomeOf(
      asked,
      { kind: "failed", reason: "AuthAmt over the ask", onWire: false, authorizedNothing: false },
      date,
    );
    expect(o).toEqual({
      state: "authorizationFailed",
      payload: { completionCode: "orderReceived" },
      detail: "AuthAmt over the ask",
      authorization: { ...base, completionCode: "orderReceived", failure: "AuthAmt over the ask" },
    });
  });

  test("failed with nothing authorized: the record says so, so the order may be paid again", () => {
    const o = outcomeOf(
      asked,
      { kind: "failed", reason: "gateway Visa unreachable", onWire: false, authorizedNothing: true },
      date,
    );
    expect(o.authorization).toEqual({
      ...base,
      completionCode: "orderReceived",
      failure: "gateway Visa unreachable",
      authorizedNothing: true,
    });
  });
});
