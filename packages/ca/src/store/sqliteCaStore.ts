/**
 * The default CaStore: one SQLite file, WAL journal, schema created on open. Uniqueness of
 * serials and of (issuer, key) is enforced by the database itself, so a refusal cannot be lost
 * between a check and a write.
 */
import Database from "better-sqlite3";
import { CaError } from "../errors";
import type {
  BciRecord,
  CaStore,
  CrlRecord,
  IssuanceRecord,
  RevocationReason,
  RevokedEntry,
  StoredCertificate,
} from "./caStore";

/** The row a lookup finds, as a record; undefined when there is none. */
function oneRow<Row, T>(
  statement: Database.Statement,
  key: unknown,
  toRecord: (row: Row) => T,
): T | undefined {
  const row = statement.get(key);
  return row ? toRecord(row as Row) : undefined;
}

/** Run a write; a failure is the CA's storeFailure, naming what was not recorded. */
function recorded(what: string, write: () => unknown): void {
  try {
    write();
  } catch (e) {
    throw new CaError("storeFailure", `${what} not recorded: ${(e as Error).message}`);
  }
}

const schemaSql = `
CREATE TABLE IF NOT EXISTS certificates (
  serial TEXT PRIMARY KEY,
  issuer TEXT NOT NULL,
  profile TEXT NOT NULL,
  subject TEXT NOT NULL,
  spki_sha256 TEXT NOT NULL,
  thumb TEXT NOT NULL UNIQUE,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  der BLOB NOT NULL,
  issued_at TEXT NOT NULL,
  revoked_at TEXT,
  revocation_reason TEXT,
  UNIQUE (issuer, spki_sha256)
);
CREATE INDEX IF NOT EXISTS certificates_spki ON certificates (spki_sha256);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS crls (
  issuer TEXT NOT NULL,
  number INTEGER NOT NULL,
  der BLOB NOT NULL,
  thumb TEXT NOT NULL UNIQUE,
  this_update TEXT NOT NULL,
  next_update TEXT NOT NULL,
  PRIMARY KEY (issuer, number)
);
CREATE TABLE IF NOT EXISTS bcis (
  brand TEXT NOT NULL,
  sequence_num INTEGER NOT NULL,
  der BLOB NOT NULL,
  thumb TEXT NOT NULL UNIQUE,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  PRIMARY KEY (brand, sequence_num)
);
`;

interface CertificateRow {
  serial: string;
  issuer: string;
  profile: string;
  subject: string;
  spki_sha256: string;
  thumb: string;
  not_before: string;
  not_after: string;
  der: Buffer;
  issued_at: string;
  revoked_at: string | null;
  revocation_reason: string | null;
}

interface CrlRow {
  issuer: string;
  number: number;
  der: Buffer;
  thumb: string;
  this_update: string;
  next_update: string;
}

interface BciRow {
  brand: string;
  sequence_num: number;
  der: Buffer;
  thumb: string;
  not_before: string;
  not_after: string;
}

const toBci = (r: BciRow): BciRecord => ({
  brand: r.brand,
  sequenceNum: r.sequence_num,
  der: new Uint8Array(r.der),
  thumb: r.thumb,
  notBefore: new Date(r.not_before),
  notAfter: new Date(r.not_after),
});

const toCertificate = (r: CertificateRow): StoredCertificate => ({
  serial: r.serial,
  issuer: r.issuer,
  profile: r.profile,
  subject: r.subject,
  spkiSha256: r.spki_sha256,
  thumb: r.thumb,
  notBefore: new Date(r.not_before),
  notAfter: new Date(r.not_after),
  der: new Uint8Array(r.der),
  issuedAt: new Date(r.issued_at),
  ...(r.revoked_at
    ? { revokedAt: new Date(r.revoked_at), revocationReason: r.revocation_reason as RevocationReason }
    : {}),
});

const toCrl = (r: CrlRow): CrlRecord => ({
  issuer: r.issuer,
  number: r.number,
  der: new Uint8Array(r.der),
  thumb: r.thumb,
  thisUpdate: new Date(r.this_update),
  nextUpdate: new Date(r.next_update),
});

/**
 * A table of numbered publications the CA signs (CRLs per issuer, BrandCRLIdentifiers per brand):
 * the same three operations over different column names.
 */
interface PublicationTable {
  readonly table: string;
  /** The column a publication is numbered within (issuer, brand). */
  readonly scope: string;
  readonly number: string;
  readonly from: string;
  readonly until: string;
}

const crlTable: PublicationTable = {
  table: "crls",
  scope: "issuer",
  number: "number",
  from: "this_update",
  until: "next_update",
};
const bciTable: PublicationTable = {
  table: "bcis",
  scope: "brand",
  number: "sequence_num",
  from: "not_before",
  until: "not_after",
};

interface Publications<R> {
  record(r: R): void;
  /** The highest-numbered publication of a scope. */
  latest(scope: string): R | undefined;
  byThumb(thumb: string): R | undefined;
}

function publications<Row, R>(
  db: Database.Database,
  what: string,
  t: PublicationTable,
  toRecord: (row: Row) => R,
  /** The insert's values in column order: scope, number, der, thumb, from, until. */
  values: (r: R) => unknown[],
): Publications<R> {
  const insert = db.prepare(
    `INSERT INTO ${t.table} (${t.scope}, ${t.number}, der, thumb, ${t.from}, ${t.until}) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const latest = db.prepare(
    `SELECT * FROM ${t.table} WHERE ${t.scope} = ? ORDER BY ${t.number} DESC LIMIT 1`,
  );
  const byThumb = db.prepare(`SELECT * FROM ${t.table} WHERE thumb = ?`);
  return {
    record: (r) => recorded(what, () => insert.run(...values(r))),
    latest: (scope) => oneRow(latest, scope, toRecord),
    byThumb: (thumb) => oneRow(byThumb, thumb.toLowerCase(), toRecord),
  };
}

/** Every statement the store runs, prepared once when the store opens. */
function prepareStatements(db: Database.Database) {
  return {
    duplicateKey: db.prepare("SELECT 1 FROM certificates WHERE issuer = ? AND spki_sha256 = ?"),
    insertCertificate: db.prepare(
      `INSERT INTO certificates (serial, issuer, profile, subject, spki_sha256, thumb, not_before,
         not_after, der, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    bySerial: db.prepare("SELECT * FROM certificates WHERE serial = ?"),
    byThumb: db.prepare("SELECT * FROM certificates WHERE thumb = ?"),
    bySpki: db.prepare("SELECT * FROM certificates WHERE spki_sha256 = ? ORDER BY rowid"),
    bySpkiAndIssuer: db.prepare(
      "SELECT * FROM certificates WHERE spki_sha256 = ? AND issuer = ? ORDER BY rowid",
    ),
    byIssuer: db.prepare("SELECT * FROM certificates WHERE issuer = ? ORDER BY rowid"),
    revoke: db.prepare("UPDATE certificates SET revoked_at = ?, revocation_reason = ? WHERE serial = ?"),
    revokedBy: db.prepare(
      "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE issuer = ? AND revoked_at IS NOT NULL ORDER BY revoked_at, serial",
    ),
    nextNumber: db.prepare(
      "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
    ),
  };
}

export class SqliteCaStore implements CaStore {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly crls: Publications<CrlRecord>;
  private readonly bcis: Publications<BciRecord>;
  private readonly issue: Database.Transaction<(r: IssuanceRecord) => void>;
  private readonly revokeOne: Database.Transaction<
    (serial: string, reason: RevocationReason, at: Date) => StoredCertificate
  >;

  /** Open (creating if needed) the database file at `path`. */
  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(schemaSql);
    const sql = prepareStatements(this.db);
    this.sql = sql;
    this.crls = publications(this.db, "CRL", crlTable, toCrl, (c) => [
      c.issuer,
      c.number,
      Buffer.from(c.der),
      c.thumb,
      c.thisUpdate.toISOString(),
      c.nextUpdate.toISOString(),
    ]);
    this.bcis = publications(this.db, "BrandCRLIdentifier", bciTable, toBci, (b) => [
      b.brand,
      b.sequenceNum,
      Buffer.from(b.der),
      b.thumb,
      b.notBefore.toISOString(),
      b.notAfter.toISOString(),
    ]);
    this.issue = this.db.transaction((r: IssuanceRecord) => {
      if (sql.duplicateKey.get(r.issuer, r.spkiSha256))
        throw new CaError("duplicateKey", "this CA has already certified that public key");
      sql.insertCertificate.run(
        r.serial,
        r.issuer,
        r.profile,
        r.subject,
        r.spkiSha256,
        r.thumb,
        r.notBefore.toISOString(),
        r.notAfter.toISOString(),
        Buffer.from(r.der),
        r.issuedAt.toISOString(),
      );
    });
    this.revokeOne = this.db.transaction((serial: string, reason: RevocationReason, at: Date) => {
      const row = sql.bySerial.get(serial.toLowerCase()) as CertificateRow | undefined;
      if (!row) throw new CaError("unknownSerial", `no certificate with serial ${serial}`);
      if (row.revoked_at)
        throw new CaError("alreadyRevoked", `serial ${serial} was revoked on ${row.revoked_at}`);
      sql.revoke.run(at.toISOString(), reason, row.serial);
      return toCertificate({ ...row, revoked_at: at.toISOString(), revocation_reason: reason });
    });
  }

  async recordIssuance(r: IssuanceRecord): Promise<void> {
    try {
      this.issue.immediate(r);
    } catch (e) {
      if (e instanceof CaError) throw e;
      throw new CaError("storeFailure", `issuance not recorded: ${(e as Error).message}`);
    }
  }

  async findBySerial(serial: string): Promise<StoredCertificate | undefined> {
    return oneRow(this.sql.bySerial, serial.toLowerCase(), toCertificate);
  }

  async findByThumb(thumb: string): Promise<StoredCertificate | undefined> {
    return oneRow(this.sql.byThumb, thumb.toLowerCase(), toCertificate);
  }

  async findBySpkiHash(spkiSha256: string, issuer?: string): Promise<StoredCertificate[]> {
    const rows =
      issuer === undefined
        ? this.sql.bySpki.all(spkiSha256)
        : this.sql.bySpkiAndIssuer.all(spkiSha256, issuer);
    return (rows as CertificateRow[]).map(toCertificate);
  }

  async listIssued(issuer: string): Promise<StoredCertificate[]> {
    return (this.sql.byIssuer.all(issuer) as CertificateRow[]).map(toCertificate);
  }

  async revoke(serial: string, reason: RevocationReason, at: Date): Promise<StoredCertificate> {
    return this.revokeOne.immediate(serial, reason, at);
  }

  async revokedBy(issuer: string): Promise<RevokedEntry[]> {
    const rows = this.sql.revokedBy.all(issuer) as Pick<
      CertificateRow,
      "serial" | "revoked_at" | "revocation_reason"
    >[];
    return rows.map((r) => ({
      serial: r.serial,
      revokedAt: new Date(r.revoked_at as string),
      reason: r.revocation_reason as RevocationReason,
    }));
  }

  async nextNumber(counter: string): Promise<number> {
    return (this.sql.nextNumber.get(counter) as { value: number }).value;
  }

  async recordCrl(c: CrlRecord): Promise<void> {
    this.crls.record(c);
  }

  async latestCrl(issuer: string): Promise<CrlRecord | undefined> {
    return this.crls.latest(issuer);
  }

  async findCrlByThumb(thumb: string): Promise<CrlRecord | undefined> {
    return this.crls.byThumb(thumb);
  }

  async recordBci(b: BciRecord): Promise<void> {
    this.bcis.record(b);
  }

  async latestBci(brand: string): Promise<BciRecord | undefined> {
    return this.bcis.latest(brand);
  }

  async findBciByThumb(thumb: string): Promise<BciRecord | undefined> {
    return this.bcis.byThumb(thumb);
  }

  close(): void {
    this.db.close();
  }
}
