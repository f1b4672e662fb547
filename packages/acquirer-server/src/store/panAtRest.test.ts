/** The issuer simulator's PANs at rest: sealed under the passphrase, never in the database files. */
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedAtEnd } from "@setlab/runtime/testing";
import Database from "better-sqlite3";
import { GatewayStore } from "./gatewayStore";
import { PanVault, PanVaultError } from "./panVault";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-pan-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pan = "4111110000000005";
const account = {
  cardId: "visa-approve",
  brand: "Visa",
  pan,
  expiry: "203012",
  outcome: "approve",
  currency: 392,
  creditLimit: 1000,
};
const filesOf = (file: string) => [file, `${file}-wal`, `${file}-shm`].filter((f) => fs.existsSync(f));
const holdsPan = (file: string) => filesOf(file).some((f) => fs.readFileSync(f).includes(Buffer.from(pan)));

describe("PanVault", () => {
  const { vault, meta } = PanVault.create("correct horse");

  it("seals and opens a PAN for its own row only", () => {
    const sealed = vault.seal(pan, "visa-approve");
    expect(Buffer.from(sealed).includes(Buffer.from(pan))).toBe(false);
    expect(vault.open(sealed, "visa-approve")).toBe(pan);
    expect(() => vault.open(sealed, "mc-approve")).toThrow(PanVaultError);
    const flipped = Buffer.from(sealed);
    flipped[14] ^= 1;
    expect(() => vault.open(flipped, "visa-approve")).toThrow(PanVaultError);
  });

  it("finds by a keyed reference: the same for the same PAN, another key gives another", () => {
    expect(vault.ref(pan)).toBe(vault.ref(pan));
    expect(vault.ref(pan)).not.toContain(pan);
    expect(PanVault.create("correct horse").vault.ref(pan)).not.toBe(vault.ref(pan));
  });

  it("re-opens with the passphrase and refuses another", () => {
    expect(PanVault.open("correct horse", meta).ref(pan)).toBe(vault.ref(pan));
    expect(() => PanVault.open("wrong", meta)).toThrow(/passphrase does not open/);
  });
  it("derives once per passphrase and salt in a process; another passphrase or salt runs scrypt again", () => {
    // The module object itself, not the namespace copy an `import * as` gets.
    const scrypt = jest.spyOn(jest.requireActual<typeof nodeCrypto>("node:crypto"), "scryptSync");
    try {
      const salt = nodeCrypto.randomBytes(16);
      const first = PanVault.create("once", salt);
      expect(scrypt).toHaveBeenCalledTimes(1);
      expect(PanVault.open("once", first.meta).ref(pan)).toBe(first.vault.ref(pan));
      expect(PanVault.create("once", salt).vault.ref(pan)).toBe(first.vault.ref(pan));
      expect(scrypt).toHaveBeenCalledTimes(1);
      // the remembered keys open nothing for a wrong passphrase: it is derived and checked
      expect(() => PanVault.open("twice", first.meta)).toThrow(/passphrase does not open/);
      expect(scrypt).toHaveBeenCalledTimes(2);
      expect(PanVault.create("once").vault.ref(pan)).not.toBe(first.vault.ref(pan));
      expect(scrypt).toHaveBeenCalledTimes(3);
    } finally {
      scrypt.mockRestore();
    }
  });
});

describe("GatewayStore keeps no clear PAN", () => {
  it("finds the account by PAN while neither the file nor its WAL holds the PAN; the file is 0600", async () => {
    const file = path.join(dir, "sealed.sqlite");
    const s = closedAtEnd(GatewayStore.open(file, { passphrase: "p1" }));
    s.seedAccounts([account]);
    expect(s.accountByPan(pan)).toMatchObject({ cardId: "visa-approve", panMasked: "411111******0005" });
    expect(s.accountByPan("4111110000000013")).toBeUndefined();
    expect(holdsPan(file)).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await s.close();
    expect(holdsPan(file)).toBe(false);
    expect(() => closedAtEnd(GatewayStore.open(file, { passphrase: "p2" }))).toThrow(
      /passphrase does not open/,
    );
    const again = closedAtEnd(GatewayStore.open(file, { passphrase: "p1" }));
    expect(again.accountByPan(pan)?.cardId).toBe("visa-approve");
    await again.close();
  });

  it("seals the accounts of a database from before, keeping holds and the authorizations' references", async () => {
    const file = path.join(dir, "clear.sqlite");
    const old = new Database(file);
    old.exec(`
      CREATE TABLE accounts (card_id TEXT PRIMARY KEY, brand TEXT NOT NULL, pan TEXT NOT NULL UNIQUE,
        expiry TEXT NOT NULL, outcome TEXT NOT NULL, credit_limit INTEGER NOT NULL,
        held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0));
      CREATE TABLE authorizations (auth_rrpid TEXT PRIMARY KEY, xid TEXT NOT NULL, merchant_id TEXT NOT NULL,
        brand TEXT NOT NULL, amount INTEGER NOT NULL, currency INTEGER NOT NULL, amt_exp10 INTEGER NOT NULL,
        auth_code TEXT NOT NULL, resp_reason TEXT, approval_code TEXT, held INTEGER NOT NULL,
        card_id TEXT REFERENCES accounts(card_id), request_hash TEXT NOT NULL, response BLOB NOT NULL,
        created TEXT NOT NULL);`);
    old
      .prepare("INSERT INTO accounts VALUES ('visa-approve', 'Visa', ?, '203012', 'approve', 1000, 250)")
      .run(pan);
    old
      .prepare(
        `INSERT INTO authorizations VALUES ('aa', 'bb', 'M', 'Visa', 250, 392, 0, 'approved', 'issuer', 'ABC123',
          250, 'visa-approve', 'cc', x'01', '1970-01-01T00:00:00.000Z')`,
      )
      .run();
    old.close();
    expect(holdsPan(file)).toBe(true);

    const s = closedAtEnd(GatewayStore.open(file, { passphrase: "p1" }));
    expect(s.account("visa-approve")).toMatchObject({
      held: 250,
      currency: 392,
      panMasked: "411111******0005",
    });
    expect(s.accountByPan(pan)?.cardId).toBe("visa-approve");
    expect(s.authorization("aa")).toMatchObject({ cardId: "visa-approve", held: 250 });
    await s.close();
    expect(holdsPan(file)).toBe(false);
    const check = new Database(file, { readonly: true });
    expect(check.pragma("foreign_key_check")).toEqual([]);
    expect(
      String(check.prepare("SELECT sql FROM sqlite_master WHERE name = 'authorizations'").pluck().get()),
    ).toMatch(/REFERENCES accounts\(card_id\)/);
    check.close();
  });
});
