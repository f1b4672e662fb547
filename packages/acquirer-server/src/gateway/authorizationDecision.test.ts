import type { schema } from "@setlab/protocol";
import type { AccountRow, AuthorizationRow } from "../store/gatewayStore";
import { approvalsOfMerchant, type DecisionInputs, decideAuthReq } from "./authorizationDecision";

const yen = (amount: number): schema.CurrencyAmount => ({ currency: 392, amount, amtExp10: 0 });
const at = new Date("2026-06-01T10:00:00Z");
const account: AccountRow = {
  cardId: "visa-approve",
  brand: "Visa",
  panMasked: "411111******1111",
  expiry: "203012",
  outcome: "approve",
  currency: 392,
  creditLimit: 1_000_000,
  held: 0,
};
const piHead = {} as schema.PIHead;
const installments = (n: number) =>
  ({
    installRecurData: { installRecurInd: { type: "installTotalTrans", value: n } },
  }) as unknown as schema.PIHead;
const accountOutcome = (head = piHead): DecisionInputs["outcome"] => ({
  kind: "account",
  pan: "4111111111111111",
  cardExpiry: "203012",
  piHead: head,
});

function inputs(over: Partial<DecisionInputs> = {}): DecisionInputs {
  return {
    outcome: accountOutcome(),
    amount: yen(2000),
    at,
    approvedBefore: 0,
    accountOf: (pan) => (pan === "4111111111111111" ? account : undefined),
    approvalCode: () => "A1B2C3",
    ...over,
  };
}

describe("decideAuthReq", () => {
  test("a new XID goes to the issuer: approved, the amount held on the card's account", () => {
    expect(decideAuthReq(inputs())).toEqual({
      authCode: "approved",
      respReason: "issuer",
      approvalCode: "A1B2C3",
      hold: 2000,
      reason: "approve",
      cardId: "visa-approve",
    });
  });

  test("a PAN the issuer does not hold: declined, no account named", () => {
    const d = decideAuthReq(inputs({ accountOf: () => undefined }));
    expect(d).toMatchObject({ authCode: "declined", hold: 0 });
    expect(d.cardId).toBeUndefined();
  });

  test("a refusal receiveAuthReq made is answered with its AuthCode; the issuer is not asked", () => {
    const asked = jest.fn();
    const d = decideAuthReq(
      inputs({
        outcome: { kind: "refused", authCode: "piAuthMismatch", reason: "not the certificate's PAN" },
        accountOf: asked,
      }),
    );
    expect(d).toEqual({ authCode: "piAuthMismatch", hold: 0, reason: "not the certificate's PAN" });
    expect(asked).not.toHaveBeenCalled();
  });

  test("an XID this merchant had approved: duplicateAuthorization, before any refusal or issuer", () => {
    expect(decideAuthReq(inputs({ approvedBefore: 1 }))).toMatchObject({
      authCode: "duplicateAuthorization",
      hold: 0,
    });
    const refused = inputs({
      approvedBefore: 1,
      outcome: { kind: "refused", authCode: "expiredCard", reason: "expired" },
    });
    expect(decideAuthReq(refused).authCode).toBe("duplicateAuthorization");
  });

  test("InstallRecurData does not let the PI authorize twice: later payments come with the AuthToken", () => {
    const terms = inputs({ outcome: accountOutcome(installments(3)) });
    expect(decideAuthReq({ ...terms, approvedBefore: 1 }).authCode).toBe("duplicateAuthorization");
  });
});

describe("decideAuthReq, an AuthToken's authorization", () => {
  const firstRow = {
    authRRPID: "aa",
    xid: "0x",
    merchantID: "MER-1",
    authCode: "approved",
    cardId: "visa-approve",
  } as AuthorizationRow;
  const subsequent = (over: Partial<DecisionInputs["subsequent"] & object> = {}) =>
    inputs({
      outcome: {
        kind: "subsequent",
        token: {} as schema.AuthTokenData,
        opaque: { authRecordID: "bb", firstAuthRecordID: "aa" },
      },
      subsequent: {
        merID: "MER-1",
        xid: "0x",
        authorization: (id) => (id === "aa" ? firstRow : undefined),
        authTokenSpent: () => false,
        accountOfCard: (cardId) => (cardId === "visa-approve" ? account : undefined),
        ...over,
      },
    });

  test("held on the first authorization's account, linked to it and to the token spent", () => {
    expect(decideAuthReq(subsequent())).toMatchObject({
      authCode: "approved",
      hold: 2000,
      cardId: "visa-approve",
      subsequentOf: { firstAuthRRPID: "aa", spentAuthToken: "bb" },
    });
  });

  test("refused (authTokenRejected, nothing held): no first authorization, another merchant's or XID's, a spent token", () => {
    const cases = [
      subsequent({ authorization: () => undefined }),
      subsequent({ authorization: () => ({ ...firstRow, authCode: "declined" }) }),
      subsequent({ merID: "MER-2" }),
      subsequent({ xid: "1x" }),
      subsequent({ authTokenSpent: () => true }),
    ];
    for (const c of cases) expect(decideAuthReq(c)).toMatchObject({ authCode: "authTokenRejected", hold: 0 });
  });

  test("without the ledger's view nothing is authorized", () => {
    expect(decideAuthReq({ ...subsequent(), subsequent: undefined }).authCode).toBe("authTokenRejected");
  });
});

describe("approvalsOfMerchant", () => {
  const row = (merchantID: string, authCode: string) => ({ merchantID, authCode }) as AuthorizationRow;

  test("counts only this merchant's approvals of the XID", () => {
    const rows = [
      row("MER-1", "approved"),
      row("MER-1", "declined"),
      row("MER-2", "approved"),
      row("MER-1", "approved"),
    ];
    expect(approvalsOfMerchant(rows, "MER-1")).toBe(2);
    expect(approvalsOfMerchant(rows, "MER-2")).toBe(1);
    expect(approvalsOfMerchant(rows, "MER-3")).toBe(0);
  });
});
