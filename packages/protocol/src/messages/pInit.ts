/**
 * PInitRes = S(M, PInitResData) (patent steps S33-S35). The merchant signs the response to the
 * cardholder's PInitReq and carries, besides its own chain, the key-exchange certificate of the
 * gateway it chose for the brand and BIN; PEThumb under the signature names that certificate.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { namingSigner } from "../cert/errorThumb";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import { thumbOf } from "../cert/thumb";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer, verifyS } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { BrandCRLIdentifier } from "../schema/certExtensions";
import { ContentType } from "../schema/oids";
import { PInitResData } from "../schema/purchase";
import { bciSequenceNumOf, cardholderRevocation } from "./cardholderRevocation";
import { expectEqual, thumbNames } from "./checks";
import { checkPartyCertificate } from "./partyCertificate";
import { takeCrls, withCrls } from "./signedDataCrls";

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
  gateway: PInitResGateway,
): Promise<Uint8Array> {
  const chain = distinct([...(merchant.chain ?? []), gateway.certificate, ...(gateway.chain ?? [])]).filter(
    (c) => !bytesEqual(c, merchant.certificate),
  );
  const revocation = gateway.revocation;
  const content = revocation
    ? { ...data, brandCRLIdentifier: decodeDer(BrandCRLIdentifier, revocation.bci, "BrandCRLIdentifier") }
    : data;
  const signed = await S(
    p,
    { ...merchant, chain },
    ContentType.PInitResData,
    encodeDer(PInitResData, content),
  );
  return revocation ? withCrls(signed, revocation.crls) : signed;
}

/** The gateway the merchant chose, and what the card needs to check the certificates it gets. */
export interface PInitResGateway {
  /** The gateway's key-exchange certificate (PEThumb names it) and its CA chain. */
  readonly certificate: Uint8Array;
  readonly chain?: readonly Uint8Array[];
  /**
   * The brand's current BCI (DER) and the CRLs it names for the merchant's and the gateway's
   * paths: the BCI goes into PInitResData.brandCRLIdentifier, the CRLs into the SignedData's crls.
   */
  readonly revocation?: { readonly bci: Uint8Array; readonly crls: readonly Uint8Array[] };
}

export interface VerifyPInitResOptions {
  /**
   * Refuse a PInitRes without revocation status for the brand (a BCI carried or in the Trust):
   * invalidCertificate. The card sets it.
   */
  readonly requireRevocation?: boolean;
}

/** What the cardholder sent in PInitReq and chose. */
export interface PInitExpectations {
  readonly chall_C: Uint8Array;
  readonly lid_C: Uint8Array;
  readonly brandID: string;
  /**
   * The highest BrandCRLIdentifier sequenceNum the cardholder has accepted for the brand: a BCI
   * with a lower one is superseded and refused (invalidCertificate), so an old BCI and the CRLs
   * it names cannot be replayed for the rest of their validity.
   */
  readonly bciSequenceNum?: number;
}

export interface VerifiedPInitRes {
  readonly data: PInitResData;
  readonly merchant: SetCertificate;
  readonly gatewayKex: SetCertificate;
  /** The sequenceNum of the BCI both paths were checked against (verified with them). */
  readonly bciSequenceNum?: number;
}

/**
 * The cardholder's checks (digest 6, "Cardholder/wallet"): the merchant's signature, by a mer
 * signature certificate of the chosen brand chained to the pinned root; Chall-C
 * (challengeMismatch) and LID-C (unknownLID) equal ours; among the carried certificates, the one
 * PEThumb names (else thumbsMismatch) is a pgwy key-exchange certificate of the same brand,
 * chained to the pinned root. Both paths are checked for revocation against the CRLs the brand's
 * BCI names (revokedCertificate): the BCI and CRLs the PInitRes carries, or the Trust's; a BCI
 * older than `expected.bciSequenceNum` is refused (invalidCertificate). A carried certificate on
 * neither path is refused (invalidCertificate).
 */
export async function verifyPInitRes(
  p: CryptoProvider,
  pInitRes: Uint8Array,
  expected: PInitExpectations,
  trust: Trust,
  options: VerifyPInitResOptions = {},
): Promise<VerifiedPInitRes> {
  const { crls, message } = takeCrls(pInitRes);
  const verified = await namingSigner(message, [], () =>
    verifyS(p, message, { contentType: ContentType.PInitResData }),
  );
  const data = decodeDer(PInitResData, verified.content, "PInitResData");
  const revocation = cardholderRevocation(
    trust,
    expected,
    { bci: data.brandCRLIdentifier, crls, where: "PInitResData.brandCRLIdentifier" },
    options.requireRevocation === true || trust.revocation !== undefined,
  );
  const merchantChain = await checkPartyCertificate(
    p,
    verified.signerCertificate,
    verified.certificates,
    trust,
    { role: "mer", use: "signature", brand: expected.brandID },
    revocation,
  );
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
  const gatewayChain = await checkPartyCertificate(
    p,
    gatewayDer,
    verified.certificates,
    trust,
    { role: "pgwy", use: "keyEncipherment", brand: expected.brandID },
    revocation,
  );
  refuseUnvalidatedCarried(verified.certificates, [merchantChain, gatewayChain], "PInitRes.certificates");
  const bciSequenceNum = revocation && bciSequenceNumOf(revocation.bci);
  return {
    data,
    merchant: merchantChain.leaf,
    gatewayKex: gatewayChain.leaf,
    ...(bciSequenceNum === undefined ? {} : { bciSequenceNum }),
  };
}
