/**
 * Common SET types (module section "Common types"). Sizes follow SET 1.0 where known (20-byte
 * identifiers); digests are 32 bytes because the suite is SHA-256 (DESIGN.md section 4).
 */

import type { Infer } from "../asn1/codec";
import { fail } from "../asn1/codec";
import {
  anyDer,
  captured,
  explicit,
  implicit,
  named,
  optional,
  sequence,
  sequenceOf,
  withDefault,
} from "../asn1/constructed";
import { boolean, generalizedTime, integer, octets, oid, string } from "../asn1/primitives";
import { Std } from "./oids";

export const ub = {
  /** Identifiers: XID, RRPID, challenges, nonces, secrets (SET: 20 bytes). */
  id: 20,
  /** SHA-256 output: DD digests and thumbprints. */
  digest: 32,
  localID: 20,
  pan: 19,
  language: 35,
  swIdent: 256,
  merchantID: 30,
  terminalID: 48,
  extensions: 32,
} as const;

export const RRPID = named("RRPID", octets({ size: ub.id }));
export const Challenge = named("Challenge", octets({ size: ub.id }));
export const Nonce = named("Nonce", octets({ size: ub.id }));
export const Secret = named("Secret", octets({ size: ub.id }));
export const XID = named("XID", octets({ size: ub.id }));
export const LocalID = named("LocalID", octets({ min: 1, max: ub.localID }));
export const SETDate = named("Date", generalizedTime());
export const Language = named("Language", string("visible", { min: 1, max: ub.language }));
export const SWIdent = named("SWIdent", string("visible", { min: 1, max: ub.swIdent }));
/** BrandID: the brand name as the card shows it, e.g. "Visa". Project decision: VisibleString (SIZE(1..40)). */
export const BrandID = named("BrandID", string("visible", { min: 1, max: 40 }));
/** BIN: the first six digits of the PAN. */
export const BIN = named("BIN", string("numeric", { size: 6 }));
export const PAN = named("PAN", string("numeric", { min: 12, max: ub.pan }));
/** CardExpiry: YYYYMM. */
export const CardExpiry = named("CardExpiry", string("numeric", { size: 6 }));
export const MerchantID = named("MerchantID", string("visible", { min: 1, max: ub.merchantID }));
export const PaySysID = named("PaySysID", string("visible", { min: 1, max: 64 }));

export const TransIDs = named(
  "TransIDs",
  sequence({
    lid_C: LocalID,
    lid_M: optional(implicit(0, LocalID)),
    xid: XID,
    pReqDate: SETDate,
    paySysID: optional(implicit(1, PaySysID)),
    language: Language,
  }),
);
export type TransIDs = Infer<typeof TransIDs>;

/** CurrencyAmount: ISO 4217 numeric currency, integer amount, and a decimal exponent (amount * 10^amtExp10). */
export const CurrencyAmount = named(
  "CurrencyAmount",
  sequence({
    currency: integer({ min: 1, max: 999 }),
    amount: integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    amtExp10: integer({ min: -18, max: 18 }),
  }),
);
export type CurrencyAmount = Infer<typeof CurrencyAmount>;

export const AlgorithmIdentifier = named(
  "AlgorithmIdentifier",
  sequence({ algorithm: oid(), parameters: optional(anyDer()) }),
);

/**
 * DetachedDigest: the DD operator's value. Layout of CMS DigestedData (RFC 5652) with the content
 * absent: version 2 (the content type is not id-data), SHA-256, the setct OID of the digested type.
 */
export const DetachedDigest = named(
  "DetachedDigest",
  sequence({
    version: integer({ min: 2, max: 2 }),
    digestAlgorithm: AlgorithmIdentifier,
    encapContentInfo: sequence({ eContentType: oid() }),
    digest: octets({ size: ub.digest }),
  }),
);
export type DetachedDigest = Infer<typeof DetachedDigest>;

/** Thumbprint: SHA-256 over the DER of a certificate's, CRL's or BCI's to-be-signed part. */
export const CertThumb = named(
  "CertThumb",
  sequence({ digestAlgorithm: AlgorithmIdentifier, thumbprint: octets({ size: ub.digest }) }),
);
export type CertThumb = Infer<typeof CertThumb>;

/** What the requester already holds; the responder leaves those out. */
export const Thumbs = named(
  "Thumbs",
  sequence({
    digestAlgorithm: AlgorithmIdentifier,
    certThumbs: optional(implicit(0, sequenceOf(octets({ size: ub.digest }), { min: 1, max: 64 }))),
    crlThumbs: optional(implicit(1, sequenceOf(octets({ size: ub.digest }), { min: 1, max: 64 }))),
    brlThumbs: optional(implicit(2, sequenceOf(octets({ size: ub.digest }), { min: 1, max: 64 }))),
  }),
);
export type Thumbs = Infer<typeof Thumbs>;

export const MsgExtension = named(
  "MsgExtension",
  sequence({
    extnID: oid(),
    critical: withDefault(boolean(), false),
    extnValue: anyDer(),
  }),
);
export const MsgExtensions = named("MsgExtensions", sequenceOf(MsgExtension, { min: 1, max: ub.extensions }));
export type MsgExtensions = Infer<typeof MsgExtensions>;

/**
 * Reject a message carrying a critical extension this implementation does not understand
 * (digest section 6, rule 1). `understood` lists the extension OIDs the receiver handles.
 */
export function checkCriticalExtensions(
  exts: MsgExtensions | undefined,
  understood: readonly string[],
  where: string,
): void {
  for (const e of exts ?? [])
    if (e.critical && !understood.includes(e.extnID))
      fail(where, `unrecognized critical extension ${e.extnID}`, "unrecognizedExtension");
}

/** ContentInfo (RFC 5652): how every CMS object (S, SO, E, EK and their compounds) travels. */
export const ContentInfo = named(
  "ContentInfo",
  sequence({ contentType: oid(), content: explicit(0, anyDer()) }),
);

const contentInfoOf = (name: string, contentType: string) =>
  named(name, captured(sequence({ contentType: oid(contentType), content: explicit(0, anyDer()) })));

/** S{}, SO{}: CMS SignedData in a ContentInfo, kept as DER bytes. */
export const SignedMessage = contentInfoOf("SignedMessage", Std.signedData);
/** E, EH, EX, EXH, Enc, EncX: CMS EnvelopedData in a ContentInfo, kept as DER bytes. */
export const EnvelopedMessage = contentInfoOf("EnvelopedMessage", Std.envelopedData);
/** EK, EncK: CMS EncryptedData in a ContentInfo, kept as DER bytes. */
export const EncryptedMessage = contentInfoOf("EncryptedMessage", Std.encryptedData);

/**
 * BackKeyData: an AES-256 key handed to the other side inside an envelope so that it can answer
 * with EncK/EK without an encryption certificate of ours (CABackKeyData, AcqBackKeyData).
 */
export const BackKeyData = named(
  "BackKeyData",
  sequence({ backAlgID: AlgorithmIdentifier, backKey: octets({ size: 32 }) }),
);
export type BackKeyData = Infer<typeof BackKeyData>;
