/**
 * The algorithm identifiers of the suite (DESIGN.md section 4) and strict checks of the ones we
 * receive. Two rules for parameters, the same in every structure, CMS or SET (docs/wire-profile.md,
 * "Algorithm identifiers"):
 * - SHA-256 as a digest algorithm is written with its parameters absent (RFC 5754 3.1, and what
 *   OpenSSL writes), wherever it stands: SignedData.digestAlgorithms, SignerInfo.digestAlgorithm,
 *   DD, thumbs, HashedRootKey, and the hash and MGF1 hash inside RSAES-OAEP-params;
 * - an RSA algorithm (rsaEncryption, sha256WithRSAEncryption) is written with NULL parameters
 *   (RFC 4055 5, RFC 5754 3.2), in SignerInfo as in certificates, CRLs and BCIs.
 * Readers accept absent or NULL for both, as those RFCs require, and nothing else.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { explicit, optional, sequence } from "../asn1/constructed";
import { nullValue, octets, oid } from "../asn1/primitives";
import { bytesEqual } from "../asn1/tlv";
import { Std } from "../schema/oids";

/** An AlgorithmIdentifier value (schema/common.ts): the OID and the DER of its parameters. */
export interface Algorithm {
  readonly algorithm: string;
  readonly parameters?: Uint8Array;
}

const HashAlgorithm = sequence({ algorithm: oid(), parameters: optional(nullValue()) });

/** RSAES-OAEP-params (RFC 8017 A.2.1); DEFAULTs (SHA-1) are refused, so they appear as optional. */
const RsaesOaepParams = sequence({
  hashAlgorithm: optional(explicit(0, HashAlgorithm)),
  maskGenAlgorithm: optional(explicit(1, sequence({ algorithm: oid(), parameters: HashAlgorithm }))),
  pSourceAlgorithm: optional(explicit(2, sequence({ algorithm: oid(), parameters: octets() }))),
});

const pSpecified = "1.2.840.113549.1.1.9";

/** RSAES-OAEP-params for SHA-256 and MGF1-SHA-256, empty label. */
export const oaepSha256Params: Uint8Array = encodeDer(RsaesOaepParams, {
  hashAlgorithm: { algorithm: Std.sha256 },
  maskGenAlgorithm: { algorithm: Std.mgf1, parameters: { algorithm: Std.sha256 } },
});

/** True if `der` is RSAES-OAEP-params naming SHA-256, MGF1-SHA-256 and an empty label (NULL hash parameters tolerated). */
export function isOaepSha256Params(der: Uint8Array): boolean {
  try {
    const v = decodeDer(RsaesOaepParams, der);
    return (
      v.hashAlgorithm?.algorithm === Std.sha256 &&
      v.maskGenAlgorithm?.algorithm === Std.mgf1 &&
      v.maskGenAlgorithm.parameters.algorithm === Std.sha256 &&
      (v.pSourceAlgorithm === undefined ||
        (v.pSourceAlgorithm.algorithm === pSpecified && v.pSourceAlgorithm.parameters.length === 0))
    );
  } catch {
    return false;
  }
}

export const AES_BLOCK = 16;
const Iv = octets({ size: AES_BLOCK });

/** The IV, if `der` is the parameter of aes256-CBC. */
export function aesCbcIv(der: Uint8Array): Uint8Array | undefined {
  try {
    return decodeDer(Iv, der);
  } catch {
    return undefined;
  }
}

export const aes256Cbc = (iv: Uint8Array): Algorithm => ({
  algorithm: Std.aes256cbc,
  parameters: encodeDer(Iv, iv),
});

export const DER_NULL = Uint8Array.of(0x05, 0x00);

/** Parameters absent or NULL, the two forms RFC 5754 and RFC 4055 allow for SHA-256 and RSA. */
export const absentOrNull = (a: Algorithm) =>
  a.parameters === undefined || bytesEqual(a.parameters, DER_NULL);

/** SHA-256 as a digest algorithm, parameters absent: the one form SET Lab writes. */
export const sha256Algorithm: Algorithm = { algorithm: Std.sha256 };

/** True for SHA-256 with absent or NULL parameters. */
export const isSha256 = (a: Algorithm) => a.algorithm === Std.sha256 && absentOrNull(a);

/**
 * The signature algorithms an RSASSA-PKCS1-v1_5 SHA-256 signature may be labelled with:
 * sha256WithRSAEncryption (what we write) or rsaEncryption (what OpenSSL writes in a SignerInfo);
 * the digest algorithm names the hash either way.
 */
export const isRsaPkcs1Sha256 = (a: Algorithm) =>
  (a.algorithm === Std.sha256WithRSAEncryption || a.algorithm === Std.rsaEncryption) && absentOrNull(a);

/** sha256WithRSAEncryption with NULL parameters, as RFC 4055 asks producers to write it. */
export const signatureAlgorithm: Algorithm = { algorithm: Std.sha256WithRSAEncryption, parameters: DER_NULL };
