/**
 * The gateway's state in SQLite (better-sqlite3, WAL): authorizations, one row per AuthRRPID with
 * the AuthRes bytes that answered it, and the issuer simulator's card accounts. Every write that
 * answers a request happens in one transaction (`recordAuthorization`), committed before the
 * response leaves.
 */
import Database from "better-sqlite3";

export interface AccountRow {
  readonly cardId: string;
  readonly brand: string;
  /** The issuer's own record of the PAN: it never leaves this store unmasked. */
  readonly pan: string;
  readonly expiry: string;
  readonly outcome: string;
  readonly creditLimit: number;
  readonly held: number;
}

export interface AuthorizationRow {
  /** Hex. */
  readonly authRRPID: string;
  /** Hex. */
  readonly xid: string;
  readonly merchantID: string;
  readonly brand: string;
  readonly amount: number;
  readonly currency: number;
  readonly amtExp10: number;
  readonly authCode: string;
  readonly respReason?: string;
  readonly approvalCode?: string;
  /** The amount this authorization holds against the account (0 unless approved). */
  readonly held: number;
  readonly cardId?: string;
  /** Hex SHA-256 of the opened request (AuthReqData DER, then the PI DER). */
  readonly requestHash: string;
  /** The MessageWrapper DER of the AuthRes that answered it. */
  readonly response: Uint8Array;
  readonly created: string;
}

export interface NewAccount {
  readonly cardId: string;
  readonly brand: string;
  readonly pan: string;
  readonly expiry: string;
  readonly outcome: string;
  readonly creditLimit: number;
}

interface AuthorizationRecord {
  auth_rrpid: string;
  xid: string;
  merchant_id: string;
  brand: string;
  amount: number;
  currency: number;
  amt_exp10: number;
  auth_code: string;
  resp_reason: string | null;
  approval_code: string | null;
  held: number;
  card_id: string | null;
  request_hash: string;
  response: Buffer;
  created: string;
}

interface AccountRecord {
  card_id: string;
  brand: string;
  pan: string;
  expiry: string;
  outcome: string;
  credit_limit: number;
  held: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS accounts (
  card_id TEXT PRIMARY KEY,
  brand TEXT NOT NULL,
  pan TEXT NOT NULL UNIQUE,
  expiry TEXT NOT NULL,
  outcome TEXT NOT NULL,
  credit_limit INTEGER NOT NULL,
  held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0)
);
CREATE TABLE IF NOT EXISTS authorizations (
  auth_rrpid TEXT PRIMARY KEY,
  xid TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  brand TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency INTEGER NOT NULL,
  amt_exp10 INTEGER NOT NULL,
  auth_code TEXT NOT NULL,
  resp_reason TEXT,
  approval_code TEXT,
  held INTEGER NOT NULL,
  card_id TEXT REFERENCES accounts(card_id),
  request_hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS authorizations_xid ON authorizations(xid);
`;

const toAccount = (r: AccountRecord): AccountRow => ({
  cardId: r.card_id,
  brand: r.brand,
  pan: r.pan,
  expiry: r.expiry,
  outcome: r.outcome,
  creditLimit: r.credit_limit,
  held: r.held,
});

const toAuthorization = (r: AuthorizationRecord): AuthorizationRow => ({
  authRRPID: r.auth_rrpid,
  xid: r.xid,
  merchantID: r.merchant_id,
  brand: r.brand,
  amount: r.amount,
  currency: r.currency,
  amtExp10: r.amt_exp10,
  authCode: r.auth_code,
  ...(r.resp_reason !== null ? { respReason: r.resp_reason } : {}),
  ...(r.approval_code !== null ? { approvalCode: r.approval_code } : {}),
  held: r.held,
  ...(r.card_id !== null ? { cardId: r.card_id } : {}),
  requestHash: r.request_hash,
  response: new Uint8Array(r.response),
  created: r.created,
});

export class GatewayStore {
  private constructor(private readonly db: Database.Database) {}

  /** Open (creating if needed) the database file; `:memory:` for a throwaway store. */
  static open(file: string): GatewayStore {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    // A commit is on disk before the answer it records leaves (WAL's default NORMAL can lose the
    // last commits on a power cut; a killed process loses nothing either way).
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    db.exec(schema);
    return new GatewayStore(db);
  }

  close(): void {
    this.db.close();
  }

  /** Add accounts that are not there yet; existing ones (and their holds) are kept. */
  seedAccounts(accounts: readonly NewAccount[]): void {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO accounts (card_id, brand, pan, expiry, outcome, credit_limit) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const a of accounts) insert.run(a.cardId, a.brand, a.pan, a.expiry, a.outcome, a.creditLimit);
    })();
  }

  account(cardId: string): AccountRow | undefined {
    const r = this.db.prepare("SELECT * FROM accounts WHERE card_id = ?").get(cardId) as
      | AccountRecord
      | undefined;
    return r && toAccount(r);
  }

  accountByPan(pan: string): AccountRow | undefined {
    const r = this.db.prepare("SELECT * FROM accounts WHERE pan = ?").get(pan) as AccountRecord | undefined;
    return r && toAccount(r);
  }

  authorization(authRRPID: string): AuthorizationRow | undefined {
    const r = this.db.prepare("SELECT * FROM authorizations WHERE auth_rrpid = ?").get(authRRPID) as
      | AuthorizationRecord
      | undefined;
    return r && toAuthorization(r);
  }

  authorizationsByXid(xid: string): AuthorizationRow[] {
    return (
      this.db
        .prepare("SELECT * FROM authorizations WHERE xid = ? ORDER BY created, rowid")
        .all(xid) as AuthorizationRecord[]
    ).map(toAuthorization);
  }

  /**
   * Record one answered AuthReq in one transaction: the authorization row and, when it holds an
   * amount, the hold on the account. Fails (and writes nothing) if the AuthRRPID is already taken.
   */
  recordAuthorization(row: AuthorizationRow): void {
    const insert = this.db.prepare(
      `INSERT INTO authorizations (auth_rrpid, xid, merchant_id, brand, amount, currency, amt_exp10,
         auth_code, resp_reason, approval_code, held, card_id, request_hash, response, created)
       VALUES (@auth_rrpid, @xid, @merchant_id, @brand, @amount, @currency, @amt_exp10,
         @auth_code, @resp_reason, @approval_code, @held, @card_id, @request_hash, @response, @created)`,
    );
    const hold = this.db.prepare("UPDATE accounts SET held = held + ? WHERE card_id = ?");
    this.db.transaction(() => {
      insert.run({
        auth_rrpid: row.authRRPID,
        xid: row.xid,
        merchant_id: row.merchantID,
        brand: row.brand,
        amount: row.amount,
        currency: row.currency,
        amt_exp10: row.amtExp10,
        auth_code: row.authCode,
        resp_reason: row.respReason ?? null,
        approval_code: row.approvalCode ?? null,
        held: row.held,
        card_id: row.cardId ?? null,
        request_hash: row.requestHash,
        response: Buffer.from(row.response),
        created: row.created,
      });
      if (row.held > 0) {
        if (!row.cardId) throw new Error("a hold needs an account");
        if (hold.run(row.held, row.cardId).changes !== 1) throw new Error(`no account ${row.cardId}`);
      }
    })();
  }
}
