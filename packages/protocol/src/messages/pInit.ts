/**
 * PInitRes = S(M, PInitResData) (patent steps S33-S35). The merchant signs the response to the
 * cardholder's PInitReq and carries, besides its own chain, the key-exchange certificate of the
 * gateway it chose for the brand and BIN; PEThumb under the signature names that certificate.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import { thumbOf } from "../cert/thumb";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer, verifyS } from "../crypto/signedMessage";
import { SetError } from "../errors";
import type { Trust } from "../purchase/cardholderCertificate";
import { ContentType } from "../schema/oids";
import { PInitResData } from "../schema/purchase";
import { expectEqual, thumbNames } from "./checks";
import { checkPartyCertificate } from "./partyCertificate";

/** Certificates in order, each once. */
function distinct(certificates: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of certificates) if (!out.some((o) => bytesEqual(o, c))) out.push(c);
  return out;
}

/**
 * PInitRes = S(M, PInitResData) (content type PInitResData). The SignedData certificates carry
 * the merchant's signature certificate and chain, and the gateway key-exchange certificate (and
 * its chain if given).
 */
export async function signPInitRes(
  p: CryptoProvider,
  merchant: Signer,
  data: PInitResData,
  gateway: { certificate: Uint8Array; chain?: readonly Uint8Array[] },
): Promise<Uint8Array> {
  const chain = distinct([...(merchant.chain ?? []), gateway.certificate, ...(gateway.chain ?? [])]).filter(
    (c) => !bytesEqual(c, merchant.certificate),
  );
  return S(p, { ...merchant, chain }, ContentType.PInitResData, encodeDer(PInitResData, data));
}

/** What the cardholder sent in PInitReq and chose. */
export interface PInitExpectations {
  readonly chall_C: Uint8Array;
  readonly lid_C: Uint8Array;
  readonly brandID: string;
}

export interface VerifiedPInitRes {
  readonly data: PInitResData;
  readonly merchant: SetCertificate;
  readonly gatewayKex: SetCertificate;
}

/**
 * The cardholder's checks (digest 6, "Cardholder/wallet"): the merchant's signature, by a mer
 * signature certificate of the chosen brand chained to the pinned root; Chall-C
 * (challengeMismatch) and LID-C (unknownLID) equal ours; among the carried certificates, the one
 * PEThumb names (else thumbsMismatch) is a pgwy key-exchange certificate of the same brand,
 * chained to the pinned root.
 */
export async function verifyPInitRes(
  p: CryptoProvider,
  pInitRes: Uint8Array,
  expected: PInitExpectations,
  trust: Trust,
): Promise<VerifiedPInitRes> {
  const verified = await verifyS(p, pInitRes, { contentType: ContentType.PInitResData });
  const data = decodeDer(PInitResData, verified.content, "PInitResData");
  const merchant = await checkPartyCertificate(p, verified.signerCertificate, verified.certificates, trust, {
    role: "mer",
    use: "signature",
    brand: expected.brandID,
  });
  expectEqual(data.chall_C, expected.chall_C, "challengeMismatch", "PInitResData.chall-C");
  expectEqual(data.transIDs.lid_C, expected.lid_C, "unknownLID", "PInitResData.transIDs.lid-C");

  let gatewayDer: Uint8Array | undefined;
  for (const der of verified.certificates) {
    if (bytesEqual(der, verified.signerCertificate)) continue;
    let thumb: Uint8Array;
    try {
      thumb = await thumbOf(p, parseSetCertificate(der));
    } catch {
      continue;
    }
    if (thumbNames(data.peThumb, thumb)) {
      gatewayDer = der;
      break;
    }
  }
  if (!gatewayDer)
    throw new SetError(
      "thumbsMismatch",
      "no carried certificate is the gateway certificate PEThumb names",
      "PInitResData.peThumb",
    );
  const gatewayKex = await checkPartyCertificate(p, gatewayDer, verified.certificates, trust, {
    role: "pgwy",
    use: "keyEncipherment",
    brand: expected.brandID,
  });
  return { data, merchant, gatewayKex };
}
