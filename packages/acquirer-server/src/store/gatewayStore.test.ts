import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type AuthorizationRow, GatewayStore } from "./gatewayStore";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-gwstore-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const account = {
  cardId: "visa-approve",
  brand: "Visa",
  pan: "4111110000000005",
  expiry: "203012",
  outcome: "approve",
  creditLimit: 1000,
};
const row = (over: Partial<AuthorizationRow> = {}): AuthorizationRow => ({
  authRRPID: "aa".repeat(20),
  xid: "bb".repeat(20),
  merchantID: "M",
  brand: "Visa",
  amount: 100,
  currency: 392,
  amtExp10: 0,
  authCode: "approved",
  approvalCode: "ABC123",
  respReason: "issuer",
  held: 100,
  cardId: "visa-approve",
  requestHash: "cc".repeat(32),
  response: Uint8Array.of(1, 2, 3),
  created: new Date(0).toISOString(),
  ...over,
});

describe("GatewayStore (SQLite file)", () => {
  it("records an authorization and its hold together, and survives reopening", () => {
    const file = path.join(dir, "a.sqlite");
    const s = GatewayStore.open(file);
    s.seedAccounts([account]);
    s.recordAuthorization(row());
    s.close();
    const again = GatewayStore.open(file);
    again.seedAccounts([{ ...account, creditLimit: 5 }]); // seeding keeps existing accounts and holds
    expect(again.account("visa-approve")).toMatchObject({ held: 100, creditLimit: 1000 });
    expect(again.authorization("aa".repeat(20))).toMatchObject({
      authCode: "approved",
      response: Uint8Array.of(1, 2, 3),
    });
    expect(again.accountByPan(account.pan)?.cardId).toBe("visa-approve");
    again.close();
  });

  it("a second row with the same AuthRRPID fails and holds nothing more", () => {
    const s = GatewayStore.open(path.join(dir, "b.sqlite"));
    s.seedAccounts([account]);
    s.recordAuthorization(row());
    expect(() => s.recordAuthorization(row({ xid: "dd".repeat(20) }))).toThrow();
    expect(s.account("visa-approve")?.held).toBe(100);
    expect(s.authorizationsByXid("dd".repeat(20))).toEqual([]);
    s.close();
  });

  it("a hold on an unknown account rolls the whole authorization back", () => {
    const s = GatewayStore.open(path.join(dir, "c.sqlite"));
    expect(() => s.recordAuthorization(row({ cardId: "nope" }))).toThrow();
    expect(s.authorization("aa".repeat(20))).toBeUndefined();
    s.close();
  });
});
