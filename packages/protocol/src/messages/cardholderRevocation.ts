/**
 * The revocation material a cardholder checks a merchant's signed answer against (PInitRes, PRes):
 * the Trust's BCI for the brand when it holds one, else the BCI the answer carries, with the CRLs
 * of both. The card has no revocation source of its own, so the merchant carries it; the card's
 * only defence against a merchant replaying an old BCI (and the CRLs it names) for the rest of its
 * validity is its memory of the highest sequenceNum it accepted for the brand. A BCI below that is
 * superseded and refused, whichever message carries it.
 */
import { encodeDer } from "../asn1/codec";
import { readBrandCRLIdentifier } from "../cert/brandCRLIdentifier";
import type { Revocation, Trust } from "../cert/trust";
import { SetError } from "../errors";
import { BrandCRLIdentifier } from "../schema/certExtensions";

/** What the cardholder knows before it reads the answer. */
export interface CardholderRevocationContext {
  readonly brandID?: string;
  /** The highest BrandCRLIdentifier sequenceNum the cardholder has accepted for the brand. */
  readonly bciSequenceNum?: number;
}

/** What the answer carries: its BCI (in the signed content) and CRLs (in the SignedData). */
export interface CarriedRevocation {
  readonly bci?: BrandCRLIdentifier;
  readonly crls: readonly Uint8Array[];
  /** Where the BCI sits, for the SetError. */
  readonly where: string;
}

export function bciSequenceNumOf(bci: Revocation["bci"]): number {
  return "der" in bci ? readBrandCRLIdentifier(bci.der).content.sequenceNum : bci.content.sequenceNum;
}

/**
 * The material to check the answer's paths against, or undefined when there is none (then
 * `require` makes it invalidCertificate). A BCI
 * older than `bciSequenceNum` is refused (invalidCertificate) before any CRL is looked at; the BCI's
 * own signature and validity are checked with the path (cert/revocation.ts).
 */
export function cardholderRevocation(
  trust: Trust,
  { brandID, bciSequenceNum: highest }: CardholderRevocationContext,
  carried: CarriedRevocation,
  require: boolean,
): Revocation | undefined {
  const own = brandID === undefined ? undefined : trust.revocation?.[brandID];
  const bci = own?.bci ?? (carried.bci && { der: encodeDer(BrandCRLIdentifier, carried.bci) });
  if (!bci) {
    if (require)
      throw new SetError(
        "invalidCertificate",
        `no BrandCRLIdentifier for ${brandID}: the revocation status of the merchant and gateway is unknown`,
        carried.where,
      );
    return undefined;
  }
  const sequenceNum = bciSequenceNumOf(bci);
  if (highest !== undefined && sequenceNum < highest)
    throw new SetError(
      "invalidCertificate",
      `BrandCRLIdentifier #${sequenceNum} is superseded: #${highest} was accepted before`,
      carried.where,
    );
  return { bci, crls: [...(own?.crls ?? []), ...carried.crls] };
}
