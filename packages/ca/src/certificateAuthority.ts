/**
 * One SET certificate authority: its certificate, private key and profile, issuing what the SET
 * hierarchy lets it issue (protocol's `mayIssue`), recording each certificate in its store before
 * handing it out, revoking, and signing CRLs.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  type CryptoProvider,
  checkSetProfile,
  hashedAccountId,
  mayIssue,
  parseSetCertificate,
  type SetCertificate,
  type schema,
  toHex,
  wholeSeconds,
} from "@setlab/protocol";
import { buildCertificate, buildCrl, signedObjectThumb } from "./certificateBuilder";
import { CaError } from "./errors";
import { type CertificateProfile, isProfileName, type ProfileName, profiles } from "./profiles";
import {
  type CaStore,
  type CrlRecord,
  type RevocationReason,
  revocationReasons,
  type StoredCertificate,
} from "./store";

export interface CardholderAccount {
  /** Used only to compute the hashed account id; never stored or written into the certificate. */
  readonly pan: string;
  /** YYYYMM: the certificate expires no later than the end of this month. */
  readonly cardExpiry: string;
  readonly panSecret: Uint8Array;
}

export interface IssueRequest {
  readonly profile: ProfileName;
  /** Subject commonName; defaults to the PKCS#10 subject's CN. Ignored for cardholders (hashed account id). */
  readonly commonName?: string;
  readonly country?: string;
  /** Only when the issuer is the root (it certifies brand CAs); below it the brand is the CA's own. */
  readonly brand?: string;
  /** DER SubjectPublicKeyInfo. Exactly one of publicKey and pkcs10. */
  readonly publicKey?: Uint8Array;
  /** DER PKCS#10 CertificationRequest; its signature is verified. */
  readonly pkcs10?: Uint8Array;
  readonly merchantData?: schema.MerchantData;
  readonly cardholder?: CardholderAccount;
  /** Earlier than the profile's default; the CA's own expiry and the card's expiry cap it anyway. */
  readonly notAfter?: Date;
  /**
   * LAB FIXTURE FACILITY, never for a real issuance: the exact validity to write, replacing the
   * profile default, the caps and the refusal of a certificate that would already be expired. It
   * makes the already expired and not yet valid certificates that relying parties must refuse
   * (`set-ca init`'s `attack/...` fixtures).
   */
  readonly fixtureValidity?: { readonly notBefore: Date; readonly notAfter: Date };
}

export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly certificate: SetCertificate;
  readonly profile: ProfileName;
  /** Lowercase hex. */
  readonly serial: string;
  /** Hex SET thumb (SHA-256 of the TBSCertificate). */
  readonly thumb: string;
}

export interface CertificateAuthorityOptions {
  readonly certificate: Uint8Array;
  readonly privateKey: CryptoKey;
  /** The CA's own profile; must match the role in its certificate. */
  readonly profile: ProfileName;
  readonly store: CaStore;
  readonly provider: CryptoProvider;
}

export interface RootOptions {
  readonly keys: CryptoKeyPair;
  /** DER SPKI of the successor root: its hash goes into hashedRootKey. */
  readonly nextRootSpki: Uint8Array;
  readonly commonName?: string;
  readonly notAfter?: Date;
  readonly store: CaStore;
  readonly provider: CryptoProvider;
}

const DAY = 86400_000;
const CRL_LIFETIME_DAYS = 7;
/** notBefore is set this far back so a relying party whose clock lags a little still accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;

export class CertificateAuthority {
  readonly der: Uint8Array;
  readonly certificate: SetCertificate;
  readonly profile: CertificateProfile;
  readonly privateKey: CryptoKey;
  readonly store: CaStore;
  readonly provider: CryptoProvider;
  /** Hex thumb of the CA certificate: how the store names this CA. */
  readonly id: string;

  private constructor(o: CertificateAuthorityOptions, id: string) {
    this.der = new Uint8Array(o.certificate);
    this.certificate = parseSetCertificate(this.der);
    this.profile = profiles[o.profile];
    this.privateKey = o.privateKey;
    this.store = o.store;
    this.provider = o.provider;
    this.id = id;
  }

  /** A CA over an existing certificate and key. */
  static async open(o: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    const cert = parseSetCertificate(new Uint8Array(o.certificate));
    const profile = profiles[o.profile];
    if (!profile?.basicConstraints)
      throw new CaError("profileNotAllowed", `${o.profile} is not a CA profile`);
    if (!cert.hasRole(profile.role))
      throw new CaError("profileNotAllowed", `the certificate is not a ${profile.role} certificate`);
    await checkKeyPair(o.provider, cert.spki, o.privateKey);
    return new CertificateAuthority(o, toHex(await cert.thumb()));
  }

  /** A new self-issued root, recorded in `store` as issued by itself. */
  static async createRoot(o: RootOptions): Promise<CertificateAuthority> {
    const spki = new Uint8Array(await o.provider.crypto.subtle.exportKey("spki", o.keys.publicKey));
    const profile = profiles.rca;
    const notBefore = wholeSeconds(new Date(o.provider.now().getTime() - CLOCK_SKEW_MS));
    const der = await buildCertificate({
      profile,
      subject: { commonName: o.commonName ?? "SET Lab Root CA" },
      serialHex: randomSerial(o.provider),
      spki,
      signingKey: o.keys.privateKey,
      notBefore,
      notAfter: o.notAfter ?? new Date(notBefore.getTime() + profile.validityDays * DAY),
      nextRootSpki: o.nextRootSpki,
      provider: o.provider,
    });
    const root = await CertificateAuthority.open({
      certificate: der,
      privateKey: o.keys.privateKey,
      profile: "rca",
      store: o.store,
      provider: o.provider,
    });
    await root.record(der, "rca", root.id, spki);
    return root;
  }

  get brand(): string | undefined {
    return this.certificate.brand;
  }

  async issue(req: IssueRequest): Promise<IssuedCertificate> {
    if (!isProfileName(req.profile))
      throw new CaError("badRequest", `unknown profile ${String(req.profile)}`);
    const profile = profiles[req.profile];
    if (!mayIssue[this.profile.role].includes(profile.role))
      throw new CaError(
        "profileNotAllowed",
        `a ${this.profile.role} CA does not issue ${profile.name} certificates`,
      );
    if (profile.merchantData !== (req.merchantData !== undefined))
      throw new CaError(
        "profileNotAllowed",
        profile.merchantData
          ? `${profile.name} needs merchantData`
          : `${profile.name} carries no merchantData`,
      );
    if (profile.cardholder !== (req.cardholder !== undefined))
      throw new CaError(
        "profileNotAllowed",
        profile.cardholder
          ? `${profile.name} needs the cardholder account`
          : `${profile.name} is not a cardholder profile`,
      );
    const brand = this.brandFor(req);
    const { spki, csrCommonName } = await this.subjectKey(req, profile);

    const now = wholeSeconds(this.provider.now());
    const notBefore = new Date(Math.max(now.getTime() - CLOCK_SKEW_MS, this.certificate.notBefore.getTime()));
    let notAfter = new Date(
      Math.min(
        req.notAfter?.getTime() ?? Number.POSITIVE_INFINITY,
        now.getTime() + profile.validityDays * DAY,
        this.certificate.notAfter.getTime(),
      ),
    );
    let commonName = req.commonName ?? csrCommonName;
    if (req.cardholder) {
      const a = req.cardholder;
      commonName = await hashedAccountId(this.provider, a.pan, a.cardExpiry, a.panSecret).catch((e) => {
        throw new CaError("badRequest", (e as Error).message);
      });
      const cardEnd = endOfCardMonth(a.cardExpiry);
      if (cardEnd.getTime() < notAfter.getTime()) notAfter = cardEnd;
    }
    let notBeforeWritten = notBefore;
    if (req.fixtureValidity) {
      const v = req.fixtureValidity;
      if (!(v.notBefore.getTime() < v.notAfter.getTime()))
        throw new CaError("badRequest", "fixtureValidity: notBefore must precede notAfter");
      notBeforeWritten = wholeSeconds(v.notBefore);
      notAfter = wholeSeconds(v.notAfter);
    } else if (notAfter.getTime() <= now.getTime())
      throw new CaError("expired", `the certificate would expire by ${notAfter.toISOString()}`);
    if (!commonName) throw new CaError("badRequest", "no subject commonName");
    if (commonName.length > 64) throw new CaError("badRequest", "commonName longer than 64 characters");

    const spkiHash = toHex(
      new Uint8Array(await this.provider.crypto.subtle.digest("SHA-256", new Uint8Array(spki))),
    );
    if ((await this.store.findBySpkiHash(spkiHash, this.id)).length > 0)
      throw new CaError("duplicateKey", "this CA has already certified that public key");

    const der = await buildCertificate({
      profile,
      subject: { commonName, country: req.country },
      brand,
      issuerCertificate: this.der,
      serialHex: randomSerial(this.provider),
      spki,
      signingKey: this.privateKey,
      notBefore: notBeforeWritten,
      notAfter,
      merchantData: req.merchantData,
      provider: this.provider,
    });
    return this.record(der, profile.name, this.id, spki);
  }

  /** Revoke a certificate this CA issued. */
  async revoke(serial: string, reason: RevocationReason = "unspecified"): Promise<StoredCertificate> {
    if (!Object.hasOwn(revocationReasons, reason))
      throw new CaError("badRequest", `unknown reason ${reason}`);
    const found = await this.store.findBySerial(serial.toLowerCase());
    if (!found || found.issuer !== this.id)
      throw new CaError("unknownSerial", `this CA issued no serial ${serial}`);
    return this.store.revoke(found.serial, reason, wholeSeconds(this.provider.now()));
  }

  /** A fresh CRL listing every certificate this CA has revoked, with the next CRL number; recorded in the store. */
  async crl(lifetimeDays = CRL_LIFETIME_DAYS): Promise<CrlRecord> {
    const thisUpdate = wholeSeconds(this.provider.now());
    const nextUpdate = new Date(thisUpdate.getTime() + lifetimeDays * DAY);
    const number = await this.store.nextNumber(`crl:${this.id}`);
    const revoked = await this.store.revokedBy(this.id);
    const der = await buildCrl({
      issuerCertificate: this.der,
      signingKey: this.privateKey,
      number,
      thisUpdate,
      nextUpdate,
      entries: revoked.map((r) => ({
        serialHex: r.serial,
        revokedAt: r.revokedAt,
        reason: revocationReasons[r.reason],
      })),
      provider: this.provider,
    });
    const thumb = toHex(await signedObjectThumb(this.provider, der));
    const record: CrlRecord = { issuer: this.id, number, der, thumb, thisUpdate, nextUpdate };
    await this.store.recordCrl(record);
    return record;
  }

  /** The latest CRL in the store, or a new one when there is none yet. */
  async currentCrl(): Promise<CrlRecord> {
    return (await this.store.latestCrl(this.id)) ?? this.crl();
  }

  private brandFor(req: IssueRequest): string | undefined {
    if (this.profile.role === "rca") {
      if (!req.brand) throw new CaError("badRequest", "the root needs the brand of the CA it certifies");
      return req.brand;
    }
    if (req.brand !== undefined && req.brand !== this.brand)
      throw new CaError("profileNotAllowed", `a ${this.brand} CA cannot issue for ${req.brand}`);
    return this.brand;
  }

  private async subjectKey(
    req: IssueRequest,
    profile: CertificateProfile,
  ): Promise<{ spki: Uint8Array; csrCommonName?: string }> {
    if ((req.publicKey === undefined) === (req.pkcs10 === undefined))
      throw new CaError("badRequest", "give exactly one of publicKey and pkcs10");
    let spki: Uint8Array;
    let csrCommonName: string | undefined;
    if (req.pkcs10) {
      let csr: x509.Pkcs10CertificateRequest;
      try {
        csr = new x509.Pkcs10CertificateRequest(new Uint8Array(req.pkcs10));
      } catch {
        throw new CaError("badRequest", "pkcs10 is not a DER CertificationRequest");
      }
      const ok = await csr.verify(this.provider.crypto).catch(() => false);
      if (!ok) throw new CaError("badRequest", "the PKCS#10 signature does not verify", "signatureFailure");
      spki = new Uint8Array(csr.publicKey.rawData);
      csrCommonName = csr.subjectName.getField("CN")[0];
    } else {
      spki = new Uint8Array(req.publicKey as Uint8Array);
    }
    // The key must be an RSA key usable for the profile's purpose, and at least 2048 bits.
    const algorithm =
      profile.purpose === "keyEncipherment"
        ? { name: "RSA-OAEP", hash: "SHA-256" }
        : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const usages: KeyUsage[] = profile.purpose === "keyEncipherment" ? ["encrypt"] : ["verify"];
    let key: CryptoKey;
    try {
      key = await this.provider.crypto.subtle.importKey(
        "spki",
        new Uint8Array(spki),
        algorithm,
        true,
        usages,
      );
    } catch {
      throw new CaError("badRequest", "the public key is not an RSA SubjectPublicKeyInfo");
    }
    const bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
    if (bits < 2048)
      throw new CaError("badRequest", `RSA-${bits} is too short; SET Lab needs at least 2048 bits`);
    // Re-export: the certificate carries a canonical SPKI whatever the request's encoding.
    spki = new Uint8Array(await this.provider.crypto.subtle.exportKey("spki", key));
    return { spki, csrCommonName };
  }

  /** Check the built certificate against the SET profile, then record it; only then is it returned. */
  private async record(der: Uint8Array, profile: ProfileName, issuer: string, spki: Uint8Array) {
    const certificate = parseSetCertificate(der);
    checkSetProfile(certificate);
    const thumb = toHex(await certificate.thumb());
    const spkiSha256 = toHex(
      new Uint8Array(await this.provider.crypto.subtle.digest("SHA-256", new Uint8Array(spki))),
    );
    await this.store.recordIssuance({
      serial: certificate.serialNumber.toLowerCase(),
      issuer,
      profile,
      subject: certificate.subject,
      spkiSha256,
      thumb,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      der,
      issuedAt: wholeSeconds(this.provider.now()),
    });
    return { der, certificate, profile, serial: certificate.serialNumber.toLowerCase(), thumb };
  }
}

/** A CA whose key does not match its certificate would sign certificates nobody can verify. */
async function checkKeyPair(p: CryptoProvider, spki: Uint8Array, privateKey: CryptoKey): Promise<void> {
  const probe = new TextEncoder().encode("SET Lab CA key check");
  let ok = false;
  try {
    const signature = await p.crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, probe);
    const publicKey = await p.crypto.subtle.importKey(
      "spki",
      new Uint8Array(spki),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    ok = await p.crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, signature, probe);
  } catch {
    ok = false;
  }
  if (!ok) throw new CaError("badRequest", "the private key is not the key of the CA certificate");
}

/** 16 random bytes as a positive INTEGER whose DER keeps all 16 bytes (RFC 5280 allows up to 20). */
function randomSerial(provider: CryptoProvider): string {
  const b = provider.random(16);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 1;
  return toHex(b);
}

/** The last second of the card's expiry month (YYYYMM), UTC. */
function endOfCardMonth(cardExpiry: string): Date {
  const year = Number(cardExpiry.slice(0, 4));
  const month = Number(cardExpiry.slice(4, 6));
  return new Date(Date.UTC(year, month, 1) - 1000);
}
