/**
 * What a CA must remember: every certificate it issued (recorded before the certificate leaves
 * the CA), revocations, and its CRL numbers. Asynchronous so a networked database fits the same
 * shape as the SQLite default.
 */

/** RFC 5280 CRLReason values that make sense for a SET CA (removeFromCRL and certificateHold excluded). */
export const revocationReasons = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;
export type RevocationReason = keyof typeof revocationReasons;
export const isRevocationReason = (s: string): s is RevocationReason => Object.hasOwn(revocationReasons, s);

export interface IssuanceRecord {
  /** Lowercase hex of the serial's INTEGER content. */
  readonly serial: string;
  /** Thumb (hex) of the issuing CA's certificate; a self-issued root names itself. */
  readonly issuer: string;
  readonly profile: string;
  /** Readable subject; for cardholders it holds the hashed account id, never a PAN. */
  readonly subject: string;
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo. */
  readonly spkiSha256: string;
  /** Hex SET thumb: SHA-256 of the TBSCertificate. */
  readonly thumb: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly der: Uint8Array;
  readonly issuedAt: Date;
}

export interface StoredCertificate extends IssuanceRecord {
  readonly revokedAt?: Date;
  readonly revocationReason?: RevocationReason;
}

export interface RevokedEntry {
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
}

export interface CrlRecord {
  readonly issuer: string;
  readonly number: number;
  readonly der: Uint8Array;
  /** Hex SHA-256 of the TBSCertList. */
  readonly thumb: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
}

export interface BciRecord {
  readonly brand: string;
  readonly sequenceNum: number;
  readonly der: Uint8Array;
  /** Hex SHA-256 of the UnsignedBrandCRLIdentifier. */
  readonly thumb: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface CaStore {
  /**
   * Persist an issuance. Throws CaError `duplicateKey` when the issuer already certified this
   * key (the store enforces it, so concurrent requests cannot both succeed), `storeFailure` on
   * any other write failure.
   */
  recordIssuance(record: IssuanceRecord): Promise<void>;
  findBySerial(serial: string): Promise<StoredCertificate | undefined>;
  findByThumb(thumb: string): Promise<StoredCertificate | undefined>;
  /** Every certificate of `spkiSha256`, optionally only those from `issuer`. */
  findBySpkiHash(spkiSha256: string, issuer?: string): Promise<StoredCertificate[]>;
  /** Certificates issued by `issuer`, oldest first. */
  listIssued(issuer: string): Promise<StoredCertificate[]>;
  /** Throws CaError `unknownSerial` or `alreadyRevoked`. */
  revoke(serial: string, reason: RevocationReason, at: Date): Promise<StoredCertificate>;
  revokedBy(issuer: string): Promise<RevokedEntry[]>;
  /** Atomically the next value of the named counter (CRL numbers per issuer, BCI sequence numbers); starts at 1. */
  nextNumber(counter: string): Promise<number>;
  recordCrl(crl: CrlRecord): Promise<void>;
  latestCrl(issuer: string): Promise<CrlRecord | undefined>;
  findCrlByThumb(thumb: string): Promise<CrlRecord | undefined>;
  recordBci(bci: BciRecord): Promise<void>;
  latestBci(brand: string): Promise<BciRecord | undefined>;
  findBciByThumb(thumb: string): Promise<BciRecord | undefined>;
  close(): void;
}
