/**
 * The algorithm identifiers of the suite (DESIGN.md section 4) and strict checks of the ones we
 * receive. Parameters are written as OpenSSL writes them (SHA-256 with absent parameters,
 * pSourceAlgorithm left at its default) and read with our strict DER codecs.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { decodeDer, encodeDer } from "../asn1/codec";
import { explicit, optional, sequence } from "../asn1/constructed";
import { nullValue, octets, oid } from "../asn1/primitives";
import { Std } from "../schema/oids";

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

export const toAsn1 = (der: Uint8Array): asn1js.AsnType => asn1js.fromBER(new Uint8Array(der).buffer).result;

/** The DER of a pkijs AlgorithmIdentifier's parameters, or undefined when absent. */
export function paramsOf(alg: pkijs.AlgorithmIdentifier): Uint8Array | undefined {
  return alg.algorithmParams === undefined ? undefined : new Uint8Array(alg.algorithmParams.toBER());
}

export function algorithmIdentifier(algorithm: string, params?: Uint8Array): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier(
    params === undefined
      ? { algorithmId: algorithm }
      : { algorithmId: algorithm, algorithmParams: toAsn1(params) },
  );
}

export const aes256CbcIdentifier = (iv: Uint8Array) => algorithmIdentifier(Std.aes256cbc, encodeDer(Iv, iv));
