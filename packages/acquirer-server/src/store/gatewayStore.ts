/**
 * The gateway's state in SQLite (better-sqlite3, WAL): authorizations, one row per AuthRRPID with
 * the AuthRes bytes that answered it, and the issuer simulator's card accounts. Every write that
 * answers a request is one all-or-nothing write (`recordAuthorization`) that resolves only once
 * its COMMIT is on disk (synchronous=FULL), before the response leaves. Writes go through group
 * commit (a writer thread shares one fsync among the writes queued meanwhile, and the fsync never
 * blocks the event loop); reads use this connection and see committed rows only.
 */

import type { CapRevOrCredKind, CaptureStanding } from "@setlab/protocol";
import {
  type DurableWriter,
  durableWriter,
  ensureOwnerOnlyFile,
  keyPassphrase,
  type SqlStatement,
  type SqlWrite,
  WriteRefusedError,
} from "@setlab/runtime";
import Database from "better-sqlite3";
import {
  accountTotalsSchema,
  accountTotalsTriggers,
  migrateAccountTotals,
  selectAccountPosted,
  selectAccountTotals,
  selectAccountWithoutTotals,
  selectFullHolds,
} from "./accountTotals";
import {
  type AuthReversalRecord,
  type AuthReversalRow,
  authReversalSchema,
  authReversalWrite,
  type HoldChange,
  selectAuthReversal,
  toAuthReversal,
} from "./authReversalLedger";
import {
  authTokenSchema,
  linkSubsequent,
  type SubsequentLink,
  selectAuthorizationsOfPurchase,
  selectLinkOf,
  selectTokenSpent,
} from "./authTokenLedger";
import {
  type BatchAdminChange,
  type BatchAdminRequestRecord,
  type BatchAdminRequestRow,
  type BatchItemRecord,
  type BatchItemRow,
  type BatchPlacement,
  type BatchRecord,
  type BatchRow,
  type BatchTotalRow,
  batchAdminWrite,
  batchItemsBeforeKinds,
  batchItemsFromCaptures,
  batchQueries,
  batchSchema,
  placementWrite,
  toBatch,
  toBatchAdminRequest,
  toBatchItem,
} from "./batchLedger";
import {
  bookCapture,
  type CaptureRecord,
  type CaptureRequestRecord,
  type CaptureRequestRow,
  type CaptureRow,
  captureSchema,
  captureWrite,
  selectCapture,
  selectCaptureRequest,
  selectPostingsOfAccount,
  toCaptureRequest,
} from "./captureLedger";
import {
  type CapRevOrCredRequestRecord,
  type CapRevOrCredRequestRow,
  type CapRevOrCredRow,
  capRevOrCredWrite,
  creditSchema,
  selectCapRevOrCredRequest,
  selectCapRevOrCredsOfCapture,
  selectCreditPostingsOfAccount,
  toCapRevOrCredRequest,
} from "./creditLedger";
import { maskPan, PanVault } from "./panVault";

export interface AccountRow {
  readonly cardId: string;
  readonly brand: string;
  /** First six and last four digits; the PAN itself is kept sealed (./panVault.ts). */
  readonly panMasked: string;
  readonly expiry: string;
  readonly outcome: string;
  /** The account's currency, ISO 4217 numeric: its credit limit and holds are in its minor units. */
  readonly currency: number;
  readonly creditLimit: number;
  /** What its live holds add up to (expired holds left out), at the time it was read. */
  readonly held: number;
  /** What captures have posted to the account (minor units): owed, so not available either. */
  readonly posted?: number;
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
  /**
   * When the hold lapses (ISO time): from then on it no longer counts against the credit limit.
   * Absent on holds recorded before holds had a lifetime, which never lapse.
   */
  readonly holdUntil?: string;
  readonly cardId?: string;
  /** Hex SHA-256 of the opened request (AuthReqData DER, then the PI DER). */
  readonly requestHash: string;
  /** The MessageWrapper DER of the AuthRes that answered it. */
  readonly response: Uint8Array;
  readonly created: string;
  /** For an authorization made with an AuthToken: its purchase and the token it spent (./authTokenLedger.ts). */
  readonly subsequentOf?: SubsequentLink;
}

export interface NewAccount {
  readonly cardId: string;
  readonly brand: string;
  readonly pan: string;
  readonly expiry: string;
  readonly outcome: string;
  /** ISO 4217 numeric; credit limit in its minor units. */
  readonly currency: number;
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
  hold_until: string | null;
  card_id: string | null;
  request_hash: string;
  response: Buffer;
  created: string;
}

interface AccountRecord {
  card_id: string;
  brand: string;
  pan_masked: string;
  expiry: string;
  outcome: string;
  currency: number;
  credit_limit: number;
  held: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
  card_id TEXT PRIMARY KEY,
  brand TEXT NOT NULL,
  pan_ref TEXT NOT NULL UNIQUE,
  pan_sealed BLOB NOT NULL,
  pan_masked TEXT NOT NULL,
  expiry TEXT NOT NULL,
  outcome TEXT NOT NULL,
  currency INTEGER NOT NULL DEFAULT 392,
  credit_limit INTEGER NOT NULL,
  -- No longer kept up to date: an account's holds and postings are in account_totals (./accountTotals.ts).
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
  hold_until TEXT,
  card_id TEXT REFERENCES accounts(card_id),
  request_hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS authorizations_xid ON authorizations(xid);
CREATE INDEX IF NOT EXISTS authorizations_holds ON authorizations(card_id, hold_until) WHERE held > 0;
`;

const toAccount = (r: AccountRecord, held: number, posted: number): AccountRow => ({
  cardId: r.card_id,
  brand: r.brand,
  panMasked: r.pan_masked,
  expiry: r.expiry,
  outcome: r.outcome,
  currency: r.currency,
  creditLimit: r.credit_limit,
  held,
  posted,
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
  ...(r.hold_until !== null ? { holdUntil: r.hold_until } : {}),
  ...(r.card_id !== null ? { cardId: r.card_id } : {}),
  requestHash: r.request_hash,
  response: new Uint8Array(r.response),
  created: r.created,
});

const insertAuthorization = `INSERT INTO authorizations (auth_rrpid, xid, merchant_id, brand, amount, currency,
    amt_exp10, auth_code, resp_reason, approval_code, held, hold_until, card_id, request_hash, response, created)
  VALUES (@auth_rrpid, @xid, @merchant_id, @brand, @amount, @currency, @amt_exp10, @auth_code, @resp_reason,
    @approval_code, @held, @hold_until, @card_id, @request_hash, @response, @created)`;
// A live hold ends now (one row changed, else there was no live hold to release).
const releaseHold = `UPDATE authorizations SET hold_until = ? WHERE auth_rrpid = ? AND held > 0
  AND (hold_until IS NULL OR hold_until > ?)`;
// The account a hold is taken on must exist (one row changed, else the write is refused).
const accountExists = "UPDATE accounts SET held = 0 WHERE card_id = ?";

/** The reads, and the seeding done at startup on this connection, prepared once. */
function prepareStatements(db: Database.Database) {
  return {
    seedAccount: db.prepare(
      `INSERT OR IGNORE INTO accounts (card_id, brand, pan_ref, pan_sealed, pan_masked, expiry, outcome, currency,
        credit_limit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    account: db.prepare("SELECT * FROM accounts WHERE card_id = ?"),
    accountByPan: db.prepare("SELECT * FROM accounts WHERE pan_ref = ?"),
    authorization: db.prepare("SELECT * FROM authorizations WHERE auth_rrpid = ?"),
    authorizationsByXid: db.prepare("SELECT * FROM authorizations WHERE xid = ? ORDER BY created, rowid"),
    captureRequest: db.prepare(selectCaptureRequest),
    capture: db.prepare(selectCapture),
    authReversal: db.prepare(selectAuthReversal),
    postedOf: db.prepare(selectPostingsOfAccount),
    tokenSpent: db.prepare(selectTokenSpent),
    linkOf: db.prepare(selectLinkOf),
    authorizationsOfPurchase: db.prepare(selectAuthorizationsOfPurchase),
    capRevOrCredRequest: db.prepare(selectCapRevOrCredRequest),
    capRevOrCredsOfCapture: db.prepare(selectCapRevOrCredsOfCapture),
    creditPostedOf: db.prepare(selectCreditPostingsOfAccount),
    totals: db.prepare(selectAccountTotals),
    posted: db.prepare(selectAccountPosted),
    fullHolds: db.prepare(selectFullHolds),
  };
}

/** The PAN vault of this database: its salt and check value are made on first open. */
function vaultOf(db: Database.Database, passphrase: string, newSalt?: Uint8Array): PanVault {
  const get = db.prepare("SELECT value FROM meta WHERE name = ?");
  const salt = get.get("panSalt") as { value: Buffer } | undefined;
  const check = get.get("panCheck") as { value: Buffer } | undefined;
  if (salt && check) return PanVault.open(passphrase, { salt: salt.value, check: check.value });
  const { vault, meta } = PanVault.create(passphrase, newSalt);
  const put = db.prepare("INSERT INTO meta (name, value) VALUES (?, ?)");
  db.transaction(() => {
    put.run("panSalt", Buffer.from(meta.salt));
    put.run("panCheck", Buffer.from(meta.check));
  })();
  return vault;
}

/**
 * A database from before PANs were sealed (and before accounts had a currency, when every account
 * was a JPY one): its rows are moved into the sealed table in one transaction, holds kept.
 */
function sealClearAccounts(db: Database.Database, vault: PanVault): void {
  const insert = db.prepare(
    `INSERT INTO accounts (card_id, brand, pan_ref, pan_sealed, pan_masked, expiry, outcome, currency, credit_limit,
      held) VALUES (?, ?, ?, ?, ?, ?, ?, 392, ?, ?)`,
  );
  db.transaction(() => {
    for (const r of db.prepare("SELECT * FROM accounts_clear").all() as (AccountRecord & { pan: string })[])
      insert.run(
        r.card_id,
        r.brand,
        vault.ref(r.pan),
        vault.seal(r.pan, r.card_id),
        maskPan(r.pan),
        r.expiry,
        r.outcome,
        r.credit_limit,
        r.held,
      );
    db.exec("DROP TABLE accounts_clear");
  })();
  const broken = db.pragma("foreign_key_check") as unknown[];
  db.pragma("foreign_keys = ON");
  if (broken.length > 0) throw new Error("moving the accounts broke an authorization's reference");
  // The clear rows leave no trace in free pages or the WAL: a copy of the files holds no clear PAN.
  db.exec("VACUUM");
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/** A store from before the running totals gets them from its full sums, all at once (./accountTotals.ts). */
function migrateTotals(db: Database.Database): void {
  if (db.prepare(selectAccountWithoutTotals).get() === undefined) return;
  const [rows, retire] = migrateAccountTotals.map((sql) => db.prepare(sql));
  db.transaction(() => {
    rows!.run();
    retire!.run({ now: new Date().toISOString() });
  })();
}

export interface GatewayStoreOptions {
  /** What seals the card accounts' PANs; default the key passphrase (SETLAB_PASSPHRASE). */
  readonly passphrase?: string;
  /**
   * The PAN vault's salt when this open makes the database's vault; default 16 random bytes. A
   * test that opens many new databases in one process gives them one salt, so that scrypt runs
   * once (./panVault.ts keeps what the process derived).
   */
  readonly newVaultSalt?: Uint8Array;
}

export class GatewayStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly batchSql: { [K in keyof typeof batchQueries]: Database.Statement };
  private readonly seed: Database.Transaction<(accounts: readonly NewAccount[]) => void>;

  private constructor(
    private readonly db: Database.Database,
    private readonly writer: DurableWriter,
    private readonly vault: PanVault,
  ) {
    const sql = prepareStatements(db);
    this.sql = sql;
    this.batchSql = Object.fromEntries(
      Object.entries(batchQueries).map(([name, query]) => [name, db.prepare(query)]),
    ) as GatewayStore["batchSql"];
    this.seed = db.transaction((accounts: readonly NewAccount[]) => {
      for (const a of accounts)
        sql.seedAccount.run(
          a.cardId,
          a.brand,
          vault.ref(a.pan),
          vault.seal(a.pan, a.cardId),
          maskPan(a.pan),
          a.expiry,
          a.outcome,
          a.currency,
          a.creditLimit,
        );
    });
  }

  /**
   * Open (creating if needed) the database file; `:memory:` for a throwaway store. `passphrase`
   * seals the accounts' PANs (default: SETLAB_PASSPHRASE or the lab's, as for the gateway's keys); a
   * database is opened with the passphrase it was created with, or not at all.
   */
  static open(file: string, options: GatewayStoreOptions = {}): GatewayStore {
    // The issuer's accounts hold card data: owner-only, and SQLite gives its WAL and shm files the
    // database file's mode.
    ensureOwnerOnlyFile(file);
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    // A commit is on disk before the answer it records leaves (WAL's default NORMAL can lose the
    // last commits on a power cut; a killed process loses nothing either way). The writer thread's
    // connection sets the same.
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    const columns = db.prepare("PRAGMA table_info(accounts)").all() as { name: string }[];
    const clear = columns.some((c) => c.name === "pan");
    if (clear) {
      // The old table steps aside without rewriting the authorizations' reference to `accounts`.
      db.pragma("foreign_keys = OFF");
      db.pragma("legacy_alter_table = ON");
      db.exec("ALTER TABLE accounts RENAME TO accounts_clear");
      db.pragma("legacy_alter_table = OFF");
    }
    const authColumns = db.prepare("PRAGMA table_info(authorizations)").all() as { name: string }[];
    // A database from before holds lapsed: its holds keep no end (hold_until NULL).
    if (authColumns.length > 0 && !authColumns.some((c) => c.name === "hold_until"))
      db.exec("ALTER TABLE authorizations ADD COLUMN hold_until TEXT");
    db.exec(schema);
    db.exec(captureSchema);
    const itemColumns = db.prepare("PRAGMA table_info(batch_items)").all() as { name: string }[];
    // Batch items from before credits were items: rebuilt all at once, or not at all.
    if (itemColumns.length > 0 && !itemColumns.some((c) => c.name === "kind"))
      db.transaction(() => {
        db.exec(batchItemsBeforeKinds);
        db.exec(batchSchema);
        db.exec(batchItemsFromCaptures);
      })();
    db.exec(batchSchema);
    db.exec(authTokenSchema);
    db.exec(creditSchema);
    db.exec(authReversalSchema);
    db.exec(accountTotalsSchema);
    db.exec(accountTotalsTriggers);
    let vault: PanVault;
    try {
      vault = vaultOf(db, options.passphrase ?? keyPassphrase(), options.newVaultSalt);
      if (clear) sealClearAccounts(db, vault);
      migrateTotals(db);
    } catch (e) {
      db.close();
      throw e;
    }
    return new GatewayStore(db, durableWriter(file, db, { pragmas: ["foreign_keys = ON"] }), vault);
  }

  /** Commits what is queued, then closes. */
  async close(): Promise<void> {
    await this.writer.close();
    this.db.close();
  }

  /**
   * Add accounts that are not there yet; existing ones (and their holds) are kept. Done at
   * startup, before requests, directly on this connection.
   */
  seedAccounts(accounts: readonly NewAccount[]): void {
    this.seed(accounts);
  }

  /** The account with its holds live at `at` (default: now). */
  account(cardId: string, at: Date = new Date()): AccountRow | undefined {
    const r = this.sql.account.get(cardId) as AccountRecord | undefined;
    return r && this.withHolds(r, at);
  }

  accountByPan(pan: string, at: Date = new Date()): AccountRow | undefined {
    const r = this.sql.accountByPan.get(this.vault.ref(pan)) as AccountRecord | undefined;
    return r && this.withHolds(r, at);
  }

  /** From the account's running totals (./accountTotals.ts): no read of its history. */
  private withHolds(r: AccountRecord, at: Date): AccountRow {
    const t = this.sql.totals.get({ card: r.card_id, at: at.toISOString() }) as {
      held: number;
      posted: number;
    };
    return toAccount(r, t.held, t.posted);
  }

  authorization(authRRPID: string): AuthorizationRow | undefined {
    const r = this.sql.authorization.get(authRRPID) as AuthorizationRecord | undefined;
    return r && toAuthorization(r);
  }

  authorizationsByXid(xid: string): AuthorizationRow[] {
    return (this.sql.authorizationsByXid.all(xid) as AuthorizationRecord[]).map(toAuthorization);
  }

  /** Whether an approved authorization spent the AuthToken the authorization `authRRPID` issued. */
  authTokenSpent(authRRPID: string): boolean {
    return this.sql.tokenSpent.get(authRRPID) !== undefined;
  }

  /**
   * The authorizations of the purchase whose first authorization is `firstAuthRRPID`, the first
   * then every subsequent one in order, each with its link.
   */
  authorizationsOfPurchase(firstAuthRRPID: string): AuthorizationRow[] {
    return (this.sql.authorizationsOfPurchase.all({ first: firstAuthRRPID }) as AuthorizationRecord[]).map(
      (r) => {
        const link = this.sql.linkOf.get(r.auth_rrpid) as
          | { first_auth_rrpid: string; spent_auth_token: string }
          | undefined;
        return {
          ...toAuthorization(r),
          ...(link
            ? {
                subsequentOf: {
                  firstAuthRRPID: link.first_auth_rrpid,
                  spentAuthToken: link.spent_auth_token,
                },
              }
            : {}),
        };
      },
    );
  }

  captureRequest(capRRPID: string): CaptureRequestRow | undefined {
    const r = this.sql.captureRequest.get(capRRPID) as CaptureRequestRecord | undefined;
    return r && toCaptureRequest(r);
  }

  /** The capture of an authorization (AuthRRPID, hex), if it was captured. */
  capture(authRRPID: string): CaptureRecord | undefined {
    return this.sql.capture.get(authRRPID) as CaptureRecord | undefined;
  }

  /** The answered AuthRevReq with this AuthRevRRPID (hex), if any. */
  authReversal(authRevRRPID: string): AuthReversalRow | undefined {
    const r = this.sql.authReversal.get(authRevRRPID) as AuthReversalRecord | undefined;
    return r && toAuthReversal(r);
  }

  /**
   * Record one answered AuthRevReq as one write (./authReversalLedger.ts): resolves once committed
   * and on disk; fails, writing nothing, if the AuthRevRRPID is already there or the hold no longer
   * is what the reversal was decided on (captured, lapsed, changed by another reversal).
   */
  async recordAuthReversal(row: AuthReversalRow, hold?: HoldChange): Promise<void> {
    await this.writeOrRefuse(
      authReversalWrite(row, hold),
      "the authorization's hold changed before the reversal was booked",
    );
  }

  /**
   * What the issuer has posted to an account (minor units of its currency): its captures' postings
   * (a reversed capture's is gone) less the credits standing (credit_postings, signed), from its
   * running total; 0 for no such account.
   */
  postedOf(cardId: string): number {
    const t = this.sql.posted.get(cardId) as { posted: number } | undefined;
    return t?.posted ?? 0;
  }

  /**
   * The account's holds live at `at` and its postings summed over its whole history, without the
   * running totals: what the totals must always equal (a check for tests and audits, not a hot path).
   */
  fullSums(cardId: string, at: Date = new Date()): { held: number; posted: number } {
    const { held } = this.sql.fullHolds.get(cardId, at.toISOString()) as { held: number };
    const captured = (this.sql.postedOf.get(cardId) as { posted: number }).posted;
    return { held, posted: captured + (this.sql.creditPostedOf.get(cardId) as { posted: number }).posted };
  }

  capRevOrCredRequest(rrpid: string): CapRevOrCredRequestRow | undefined {
    const r = this.sql.capRevOrCredRequest.get(rrpid) as CapRevOrCredRequestRecord | undefined;
    return r && toCapRevOrCredRequest(r);
  }

  /** A capture as protocol's `judgeAgainstCapture` reads it: undefined when never captured. */
  captureStanding(authRRPID: string): CaptureStanding | undefined {
    const capture = this.capture(authRRPID);
    if (!capture) return undefined;
    const rows = this.sql.capRevOrCredsOfCapture.all(authRRPID) as {
      kind: CapRevOrCredKind;
      req_date: string;
      amount: number;
    }[];
    const sum = (kind: CapRevOrCredKind) =>
      rows.filter((r) => r.kind === kind).reduce((total, r) => total + BigInt(r.amount), 0n);
    const settled = this.batchSql.captureSettled.get(authRRPID) as { settled: number } | undefined;
    const openCredit = (this.batchSql.openCredit.get(authRRPID) as { credit: number }).credit;
    return {
      amount: BigInt(capture.amount),
      currency: capture.currency,
      reversed: rows.some((r) => r.kind === "captureReversal"),
      credited: sum("credit"),
      creditReversed: sum("creditReversal"),
      booked: rows.map((r) => ({ kind: r.kind, date: r.req_date })),
      settlement: { captureSettled: settled?.settled === 1, openCredit: BigInt(openCredit) },
    };
  }

  /**
   * Record one answered CapRevReq, CredReq or CredRevReq and its items' batch places as one write
   * (./creditLedger.ts, ./batchLedger.ts): resolves once committed and on disk; fails, writing
   * nothing, if its RRPID or an item is already booked, a reversed capture had no posting to
   * remove, or an item's batch is no longer open.
   */
  async recordCapRevOrCred(
    request: CapRevOrCredRequestRow,
    rows: readonly CapRevOrCredRow[],
    placement?: BatchPlacement,
  ): Promise<void> {
    await this.writeOrRefuse(
      [...capRevOrCredWrite(request, rows), ...(placement ? placementWrite(placement) : [])],
      "a capture reversed had no posting to remove, or an item's batch is closed",
    );
  }

  /**
   * Record one answered CapReq as one write (./captureLedger.ts): resolves once committed and on
   * disk; fails, writing nothing, if the CapRRPID or an authorization's capture is already there
   * or a captured authorization no longer holds a live amount.
   */
  async recordCapture(
    request: CaptureRequestRow,
    captures: readonly CaptureRow[],
    placement?: BatchPlacement,
  ): Promise<void> {
    await this.writeOrRefuse(
      [...captureWrite(request, captures), ...(placement ? placementWrite(placement) : [])],
      "an authorization captured holds nothing live, or its batch is closed",
    );
  }

  /** The merchant's batch, open or closed. */
  batch(merchantID: string, batchID: number): BatchRow | undefined {
    const r = this.batchSql.batch.get(merchantID, batchID) as BatchRecord | undefined;
    return r && toBatch(r);
  }

  /** The merchant's open batch, if it has one. */
  openBatch(merchantID: string): BatchRow | undefined {
    const r = this.batchSql.openBatch.get(merchantID) as BatchRecord | undefined;
    return r && toBatch(r);
  }

  /** The highest batch number the merchant has had (0: none yet). */
  lastBatchID(merchantID: string): number {
    return (this.batchSql.lastBatchID.get(merchantID) as { last: number }).last;
  }

  batchItemCount(merchantID: string, batchID: number): number {
    return (this.batchSql.itemCount.get(merchantID, batchID) as { n: number }).n;
  }

  batchItems(merchantID: string, batchID: number): BatchItemRow[] {
    return (this.batchSql.items.all(merchantID, batchID) as BatchItemRecord[]).map(toBatchItem);
  }

  /** The batch's totals per brand and currency, summed by the database from its items. */
  batchTotals(merchantID: string, batchID: number): BatchTotalRow[] {
    return (
      this.batchSql.totals.all(merchantID, batchID) as {
        brand: string;
        currency: number;
        sales_count: number;
        sales_amount: number;
        credit_count: number;
        credit_amount: number;
      }[]
    ).map((r) => ({
      brand: r.brand,
      currency: r.currency,
      salesCount: r.sales_count,
      salesAmount: r.sales_amount,
      creditCount: r.credit_count,
      creditAmount: r.credit_amount,
    }));
  }

  batchAdminRequest(rrpid: string): BatchAdminRequestRow | undefined {
    const r = this.batchSql.adminRequest.get(rrpid) as BatchAdminRequestRecord | undefined;
    return r && toBatchAdminRequest(r);
  }

  /**
   * Record one answered BatchAdminReq and what it changes (a batch opened or closed) as one write,
   * on disk before the answer leaves; fails, writing nothing, if the RRPID is taken, or the batch
   * to close is no longer open.
   */
  async recordBatchAdmin(change: BatchAdminChange): Promise<void> {
    await this.writer.write(batchAdminWrite(change));
  }

  /**
   * End an authorization's hold at `at`, as an issuer's back office does for funds a merchant will
   * not take (an abandoned partial approval, until AuthRev exists). False when it holds nothing
   * live (no amount, already lapsed or released); the row keeps its amount and AuthRes.
   */
  async releaseHold(authRRPID: string, at: Date): Promise<boolean> {
    const when = at.toISOString();
    try {
      await this.writer.write([{ sql: releaseHold, params: [when, authRRPID, when], changes: 1 }]);
      return true;
    } catch (e) {
      if (e instanceof WriteRefusedError) return false;
      throw e;
    }
  }

  /**
   * Record one answered AuthReq as one write: the authorization row and, when it holds an amount,
   * the hold on the account, and for a sale its capture and posting (./captureLedger.ts) and its
   * batch item (./batchLedger.ts). Resolves once committed and on disk; fails (and writes nothing)
   * if the AuthRRPID is already taken, the account does not exist or the sale's batch closed.
   */
  async recordAuthorization(
    row: AuthorizationRow,
    sale?: CaptureRow,
    placement?: BatchPlacement,
  ): Promise<void> {
    if (row.held > 0 && !row.cardId) throw new Error("a hold needs an account");
    const statements: SqlStatement[] = [];
    if (row.held > 0) statements.push({ sql: accountExists, params: [row.cardId!], changes: 1 });
    statements.push({
      sql: insertAuthorization,
      params: {
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
        hold_until: row.holdUntil ?? null,
        card_id: row.cardId ?? null,
        request_hash: row.requestHash,
        response: row.response,
        created: row.created,
      },
    });
    if (row.subsequentOf)
      statements.push(linkSubsequent(row.authRRPID, row.subsequentOf, row.authCode === "approved"));
    if (sale) statements.push(...bookCapture(sale));
    if (placement) statements.push(...placementWrite(placement));
    await this.writeOrRefuse(statements, `no account ${row.cardId}, or the sale's batch is closed`);
  }

  /**
   * One all-or-nothing write whose precondition failing (a statement's row count) is the caller's
   * refusal, said in its words; other failures (disk, a closed writer) pass through unchanged.
   */
  private async writeOrRefuse(statements: SqlWrite, refusal: string): Promise<void> {
    try {
      await this.writer.write(statements);
    } catch (e) {
      if (e instanceof WriteRefusedError) throw new Error(refusal);
      throw e;
    }
  }
}
