/**
 * X.509 certificates and CRLs (RFC 5280), read by the project's strict DER codecs. SET certificates
 * are X.509 v3 certificates; these codecs read the envelope, names, validity and the standard
 * extensions SET uses, and `src/cert/` reads SET's private extensions with `certExtensions.ts`.
 * They are not part of SetLab.asn (the module imports X.509 from PKIX), so they stay out of the
 * registry. The to-be-signed parts, names and SubjectPublicKeyInfo are kept as their exact DER
 * beside the decoded value: signatures, thumbs and name chaining all work on the received bytes.
 */

import { type Codec, codecOf, fail, type Infer, kept, nodeBytes, nodeContent, nodeTag } from "../asn1/codec";
import {
  anyDer,
  choice,
  explicit,
  implicit,
  optional,
  sequence,
  sequenceOf,
  setOf,
  withDefault,
} from "../asn1/constructed";
import {
  bitString,
  boolean,
  digitPairs,
  generalizedTime,
  integer,
  namedBits,
  octets,
  oid,
  tagged,
  writeClock,
} from "../asn1/primitives";
import { universal } from "../asn1/tlv";
import { toHex } from "../bytes";
import { SetError } from "../errors";
import { AlgorithmIdentifier } from "./common";

/** A decoded value together with the exact DER it was read from. */
export interface WithDer<T> {
  readonly value: T;
  readonly der: Uint8Array;
}

/**
 * `inner`, keeping the bytes it was read from. Encoding writes the value afresh (so a value and
 * bytes that disagree cannot be emitted silently).
 */
export function withDer<T>(inner: Codec<T>): Codec<WithDer<T>> {
  return codecOf<WithDer<T>>({
    tags: inner.tags,
    spec: { kind: "captured", inner: inner as Codec<unknown> },
    write: (w, v) => inner.write(w, v.value),
    decode: (node, path) => ({ value: inner.decode(node, path), der: nodeBytes(node) }),
  });
}

const encodeFail = (message: string): never => {
  throw new SetError("unspecifiedFailure", `cannot encode: ${message}`);
};

/**
 * UTCTime in its DER form `YYMMDDHHMMSSZ`. RFC 5280 section 4.1.2.5.1: YY >= 50 is 19YY, YY < 50
 * is 20YY, so it covers 1950..2049 (later dates are GeneralizedTime).
 */
export function utcTime() {
  return tagged<Date>(
    universal(23),
    false,
    { kind: "time" },
    (w, d) => {
      const t = d.getTime();
      if (!Number.isFinite(t) || t % 1000 !== 0) encodeFail("Date must be a whole second");
      const y = d.getUTCFullYear();
      if (y < 1950 || y > 2049) encodeFail("UTCTime covers 1950..2049 only");
      w.byte(0x5a); // Z
      writeClock(w, d);
      w.digits(y % 100, 2);
    },
    (node, path) => {
      const c = nodeContent(node);
      const n = digitPairs(c, 6);
      if (c.length !== 13 || c[12] !== 0x5a || n === undefined) fail(path, "UTCTime must be YYMMDDHHMMSSZ");
      const [yy, mo, d, h, mi, s] = n;
      const y = yy >= 50 ? 1900 + yy : 2000 + yy;
      const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
      if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
        fail(path, "UTCTime is not a real date");
      return date;
    },
  );
}

/** Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime } */
export const Time = choice({ utcTime: utcTime(), generalTime: generalizedTime() });
export type Time = Infer<typeof Time>;

/**
 * CertificateSerialNumber: an INTEGER of up to 20 octets (RFC 5280 4.1.2.2), kept as its content
 * octets because serials exceed a JS number. DER's minimal form is enforced.
 */
export function serialNumber() {
  return tagged<Uint8Array>(
    universal(2),
    false,
    { kind: "octets", min: 1, max: 20 },
    (w, v) => {
      if (v.length < 1 || v.length > 20) encodeFail("a serial number has 1..20 octets");
      w.bytes(v);
    },
    (node, path) => {
      const c = nodeContent(node);
      if (c.length === 0) fail(path, "empty INTEGER");
      if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80)))
        fail(path, "INTEGER not minimally encoded");
      if (c.length > 20) fail(path, `serial number of ${c.length} octets, at most 20 allowed`);
      return kept(node, c);
    },
  );
}

/** One attribute of a distinguished name: its type and, for the string types, its text. */
export interface NameAttribute {
  readonly type: string;
  /** The value as text; `#` and hex of its DER for a value that is not a character string. */
  readonly text: string;
  readonly der: Uint8Array;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");
const utf16be = new TextDecoder("utf-16be");

function stringText(tag: number, c: Uint8Array): string | undefined {
  switch (tag - universal(0)) {
    case 12: // UTF8String
      return utf8.decode(c);
    case 18: // NumericString
    case 19: // PrintableString
    case 20: // TeletexString (read as Latin-1, as most software does)
    case 22: // IA5String
    case 26: // VisibleString
      return latin1.decode(c);
    case 30: // BMPString
      return utf16be.decode(c);
    case 28: {
      // UniversalString: UCS-4 big-endian
      let s = "";
      for (let i = 0; i + 3 < c.length; i += 4)
        s += String.fromCodePoint(((c[i] << 24) | (c[i + 1] << 16) | (c[i + 2] << 8) | c[i + 3]) >>> 0);
      return s;
    }
    default:
      return undefined;
  }
}

/** An attribute value of any type, kept as DER with a readable text. */
const anyValue = anyDer();
const AttributeValue: Codec<{ text: string; der: Uint8Array }> = codecOf({
  tags: null,
  spec: { kind: "any" },
  write: (w, v) => anyValue.write(w, v.der),
  decode(node) {
    const der = nodeBytes(node);
    let text: string | undefined;
    try {
      text = stringText(nodeTag(node), nodeContent(node));
    } catch {
      // A code point outside Unicode in a UniversalString: shown as hex like any other odd value.
    }
    if (text === undefined) text = `#${toHex(der)}`;
    return { text, der };
  },
});

const AttributeTypeAndValue = sequence({ type: oid(), value: AttributeValue });

/** Name ::= RDNSequence, flattened in order to its attributes, and kept as DER. */
const RDNSequence = sequenceOf(setOf(AttributeTypeAndValue, { min: 1 }));
export const Name: Codec<WithDer<NameAttribute[]>> = (() => {
  const inner = withDer(RDNSequence);
  return codecOf({
    tags: inner.tags,
    spec: inner.spec,
    write: (w, v) => w.bytes(v.der),
    decode(node, path) {
      const { value, der } = inner.decode(node, path);
      return {
        der,
        value: value.flat().map((a) => ({ type: a.type, text: a.value.text, der: a.value.der })),
      };
    },
  });
})();

export const Validity = sequence({ notBefore: Time, notAfter: Time });

/** SubjectPublicKeyInfo: the algorithm and the key's bits (for RSA, the DER RSAPublicKey). */
export const SubjectPublicKeyInfo = withDer(
  sequence({ algorithm: AlgorithmIdentifier, subjectPublicKey: bitString() }),
);
export type SubjectPublicKeyInfo = Infer<typeof SubjectPublicKeyInfo>;

export const Extension = sequence({
  extnID: oid(),
  critical: withDefault(boolean(), false),
  extnValue: octets(),
});
export type Extension = Infer<typeof Extension>;
export const Extensions = sequenceOf(Extension, { min: 1 });

export const TBSCertificate = sequence({
  version: withDefault(explicit(0, integer({ min: 0, max: 2 })), 0),
  serialNumber: serialNumber(),
  signature: AlgorithmIdentifier,
  issuer: Name,
  validity: Validity,
  subject: Name,
  subjectPublicKeyInfo: SubjectPublicKeyInfo,
  issuerUniqueID: optional(implicit(1, bitString())),
  subjectUniqueID: optional(implicit(2, bitString())),
  extensions: optional(explicit(3, Extensions)),
});
export type TBSCertificate = Infer<typeof TBSCertificate>;

export const Certificate = sequence({
  tbsCertificate: withDer(TBSCertificate),
  signatureAlgorithm: AlgorithmIdentifier,
  signatureValue: bitString(),
});
export type Certificate = Infer<typeof Certificate>;

const RevokedCertificate = sequence({
  userCertificate: serialNumber(),
  revocationDate: Time,
  // RFC 5280 says SIZE(1..MAX), but @peculiar/x509 (our CA's CRL writer) emits an empty list for
  // an entry without a reason; it carries nothing, so it is read rather than refused.
  crlEntryExtensions: optional(sequenceOf(Extension)),
});

export const TBSCertList = sequence({
  // RFC 5280: v2(1) when present.
  version: optional(integer({ min: 1, max: 1 })),
  signature: AlgorithmIdentifier,
  issuer: Name,
  thisUpdate: Time,
  nextUpdate: optional(Time),
  revokedCertificates: optional(sequenceOf(RevokedCertificate)),
  crlExtensions: optional(explicit(0, Extensions)),
});
export type TBSCertList = Infer<typeof TBSCertList>;

export const CertificateList = sequence({
  tbsCertList: withDer(TBSCertList),
  signatureAlgorithm: AlgorithmIdentifier,
  signatureValue: bitString(),
});
export type CertificateList = Infer<typeof CertificateList>;

// The standard extension values SET uses (RFC 5280 4.2.1), read from extnValue.

export const keyUsageNames = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsageName = (typeof keyUsageNames)[number];

export const KeyUsage = namedBits(keyUsageNames);

export const BasicConstraints = sequence({
  cA: withDefault(boolean(), false),
  pathLenConstraint: optional(integer({ min: 0, max: 255 })),
});

export const AuthorityKeyIdentifier = sequence({
  keyIdentifier: optional(implicit(0, octets())),
  authorityCertIssuer: optional(implicit(1, sequenceOf(anyDer(), { min: 1 }))),
  // The serial's INTEGER content octets, kept as bytes: serials may exceed a JS number.
  authorityCertSerialNumber: optional(implicit(2, octets({ min: 1, max: 20 }))),
});

export const CertificatePolicies = sequenceOf(
  sequence({
    policyIdentifier: oid(),
    policyQualifiers: optional(sequenceOf(anyDer(), { min: 1 })),
  }),
  { min: 1 },
);

export const CRLNumber = integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
