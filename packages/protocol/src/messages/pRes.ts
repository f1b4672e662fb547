/** PRes = S(M, PResData) (patent steps S52-S56): the merchant's answer to the purchase request. */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import { namingSigner, thumbOfDer } from "../cert/errorThumb";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer, verifyS } from "../crypto/signedMessage";
import { namingCertificate, SetError } from "../errors";
import { ContentType } from "../schema/oids";
import { PResData } from "../schema/purchase";
import { type CardholderRevocationContext, cardholderRevocation } from "./cardholderRevocation";
import { expectEqual } from "./checks";
import { checkPartyCertificate } from "./partyCertificate";
import { takeCrls } from "./signedDataCrls";

export async function signPRes(p: CryptoProvider, merchant: Signer, data: PResData): Promise<Uint8Array> {
  return S(p, merchant, ContentType.PResData, encodeDer(PResData, data));
}

export interface PResExpectations extends CardholderRevocationContext {
  readonly xid: Uint8Array;
  readonly chall_C: Uint8Array;
  readonly lid_C?: Uint8Array;
  /** The merchant signature certificate PInitRes came with: PRes must be signed with the same one. */
  readonly merchantCertificate?: Uint8Array;
}

/**
 * The cardholder's checks of PRes: the merchant's signature by a mer signature certificate chained
 * to the pinned root and, when given, exactly `merchantCertificate` (else thumbsMismatch); XID
 * (unknownXID), Chall-C (challengeMismatch) and LID-C (unknownLID) equal ours. A carried
 * certificate off the merchant's path is refused (invalidCertificate). A BCI the PRes carries is
 * held to the same rule as PInitRes's: older than `bciSequenceNum` is invalidCertificate, and the
 * merchant's path is checked against the CRLs it names (revokedCertificate).
 */
export async function verifyPRes(
  p: CryptoProvider,
  pRes: Uint8Array,
  expected: PResExpectations,
  trust: Trust,
): Promise<PResData> {
  const { crls, message } = takeCrls(pRes);
  const known = expected.merchantCertificate ? [expected.merchantCertificate] : [];
  const verified = await namingSigner(message, known, () =>
    verifyS(p, message, { contentType: ContentType.PResData, knownCertificates: known }),
  );
  if (
    expected.merchantCertificate &&
    !bytesEqual(verified.signerCertificate, new Uint8Array(expected.merchantCertificate))
  )
    throw namingCertificate(
      new SetError(
        "thumbsMismatch",
        "PRes is signed with another certificate than the merchant's PInitRes",
        "PRes.signer",
      ),
      thumbOfDer(verified.signerCertificate),
    );
  const data = decodeDer(PResData, verified.content, "PResData");
  // No BCI carried: the path is checked as before (the Trust's own material, if any); the card
  // checked this very certificate's revocation with the PInitRes.
  const revocation = cardholderRevocation(
    trust,
    expected,
    { bci: data.brandCRLIdentifier, crls, where: "PResData.brandCRLIdentifier" },
    false,
  );
  const chain = await checkPartyCertificate(
    p,
    verified.signerCertificate,
    verified.certificates,
    trust,
    { role: "mer", use: "signature", brand: expected.brandID },
    revocation,
  );
  refuseUnvalidatedCarried(verified.certificates, [chain], "PRes.certificates");
  expectEqual(data.transIDs.xid, expected.xid, "unknownXID", "PResData.transIDs.xid");
  expectEqual(data.chall_C, expected.chall_C, "challengeMismatch", "PResData.chall-C");
  if (expected.lid_C)
    expectEqual(data.transIDs.lid_C, expected.lid_C, "unknownLID", "PResData.transIDs.lid-C");
  return data;
}
