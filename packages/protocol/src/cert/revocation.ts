/**
 * Revocation for path validation (digest 1.6): a certificate is checked against the CRL of its
 * issuer that the brand's current BrandCRLIdentifier names. The BCI is the only source of trust in
 * a CRL: a supplied CRL the BCI does not name (by issuer and thumb) is ignored, and a CRL the BCI
 * names but that was not supplied fails the check.
 *
 * DECISION: a named CRL that was not supplied is `missingCertificate`: like a missing certificate,
 * the peer can cure it by sending the object the thumb names. An issuer with no CRL named at all is
 * `invalidCertificate` (the brand vouches for no revocation status), as are a stale CRL and a BCI
 * for another brand or outside its validity. A CRL whose signature fails is `signatureFailure`.
 */

import { decodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import type { CryptoProvider } from "../crypto/provider";
import { DecodeError, SetError } from "../errors";
import type { CRLIdentifier } from "../schema/certExtensions";
import { CertificateList, CRLNumber } from "../schema/x509";
import { type VerifiedBrandCRLIdentifier, verifyBrandCRLIdentifier } from "./brandCRLIdentifier";
import { CertificateCache } from "./certificateCache";
import { sha256 } from "./digest";
import { issuerSignatureVerifies } from "./issuerSignature";
import type { SetCertificate } from "./setCertificate";

const sha256WithRSAEncryption = "1.2.840.113549.1.1.11";
const cRLNumber = "2.5.29.20";

export interface RevocationInput {
  /**
   * The brand's current BCI: already verified, or its DER with the brand CA certificate that
   * signed it; without `brandCa`, the brand CA of the path being checked must have signed it.
   */
  readonly bci: VerifiedBrandCRLIdentifier | { readonly der: Uint8Array; readonly brandCa?: SetCertificate };
  /** CRLs on offer, DER or prepared once (`prepareCrl`); only those the BCI names are used. */
  readonly crls: readonly (Uint8Array | PreparedCrl)[];
  readonly at: Date;
}

/** A CRL parsed and thumbed once, for a relying party that checks many paths against it. */
export interface PreparedCrl {
  readonly crl: ParsedCrl;
  /** SHA-256 over the TBSCertList: how a BCI names it. */
  readonly thumb: Uint8Array;
}

/**
 * CRLs prepared before, by SHA-256 of their DER. A card receives its brand's CRLs in every
 * PInitRes; parsed afresh each time, they were the largest part of its DER decoding. The cache
 * also keeps the parse object the CRL's verified signature is remembered on (`verifiedCrls`).
 * Parsed CRLs are public and immutable; failures are not cached.
 */
export const preparedCrls = new CertificateCache<PreparedCrl & { readonly tbs: Uint8Array }>((der) => {
  const crl = parseCrl(der);
  return { crl, thumb: sha256(crl.tbs), tbs: crl.tbs };
}, 64);

/** Parse and thumb a DER CRL once (`invalidCertificate` when it is not one). */
export async function prepareCrl(der: Uint8Array): Promise<PreparedCrl> {
  return preparedCrls.parse(der);
}

/**
 * Revocation material prepared once: the BCI verified against its brand CA certificate (its
 * validity is still checked at every use) and every CRL parsed and thumbed.
 */
export async function prepareRevocation(
  p: CryptoProvider,
  material: {
    readonly bci: Uint8Array;
    readonly brandCa: SetCertificate;
    readonly crls: readonly Uint8Array[];
  },
  at: Date,
): Promise<Omit<RevocationInput, "at">> {
  return {
    bci: await verifyBrandCRLIdentifier(p, material.bci, material.brandCa, at),
    crls: await Promise.all(material.crls.map((der) => prepareCrl(der))),
  };
}

/** The parts of an X.509 CRL revocation checking needs, with the exact DER of what is signed. */
export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: number;
  readonly revokedSerials: readonly Uint8Array[];
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

/** Parse a DER CRL with the strict X.509 codecs; `invalidCertificate` when it is not one. */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const bytes = new Uint8Array(der);
  const bad = (why: string) => new SetError("invalidCertificate", `not an X.509 CRL: ${why}`, "CRL");
  let crl: CertificateList;
  try {
    crl = decodeDer(CertificateList, bytes, "CertificateList");
  } catch (e) {
    if (e instanceof DecodeError) throw bad(e.message);
    throw e;
  }
  const tbs = crl.tbsCertList.value;
  let crlNumber: number | undefined;
  for (const ext of tbs.crlExtensions ?? []) {
    if (ext.extnID !== cRLNumber) continue;
    if (crlNumber !== undefined) throw bad("cRLNumber appears twice");
    try {
      crlNumber = decodeDer(CRLNumber, ext.extnValue, "cRLNumber");
    } catch (e) {
      if (e instanceof DecodeError) throw bad(`malformed cRLNumber: ${e.message}`);
      throw e;
    }
  }
  return {
    der: bytes,
    tbs: crl.tbsCertList.der,
    issuerDer: tbs.issuer.der,
    thisUpdate: tbs.thisUpdate.value,
    nextUpdate: tbs.nextUpdate?.value,
    crlNumber,
    revokedSerials: (tbs.revokedCertificates ?? []).map((r) => r.userCertificate),
    signatureAlgorithm: crl.signatureAlgorithm.algorithm,
    signature: crl.signatureValue.bytes,
  };
}

/**
 * Check every certificate of `path` (leaf first, pinned root last) below the root against the CRL
 * of its issuer named by the BCI. Throws SetError `revokedCertificate` for a listed serial; see the
 * module comment for the other failures.
 */
export async function checkRevocation(
  p: CryptoProvider,
  path: readonly SetCertificate[],
  input: RevocationInput,
): Promise<void> {
  const { at } = input;
  const below = path.slice(0, -1);
  const brandCa = below.find((c) => c.hasRole("bca"));
  let bci: VerifiedBrandCRLIdentifier;
  if ("der" in input.bci) {
    const signer = input.bci.brandCa ?? brandCa;
    if (!signer)
      throw new SetError(
        "invalidCertificate",
        "no brand CA on the path to verify the BrandCRLIdentifier",
        "BrandCRLIdentifier",
      );
    bci = await verifyBrandCRLIdentifier(p, input.bci.der, signer, at);
  } else bci = input.bci;
  const where = `BrandCRLIdentifier ${bci.content.brandID} #${bci.content.sequenceNum}`;
  if (at.getTime() < bci.content.notBefore.getTime() || at.getTime() > bci.content.notAfter.getTime())
    throw new SetError("invalidCertificate", "outside its notBefore..notAfter", where);
  if (below.length === 0) return;
  const brand = below[below.length - 1].brand;
  if (bci.content.brandID !== brand)
    throw new SetError(
      "invalidCertificate",
      `a ${bci.content.brandID} BCI cannot vouch for a ${brand} path`,
      where,
    );
  if (brandCa && !bytesEqual(await brandCa.thumb(), bci.content.brandCAThumb))
    throw new SetError("thumbsMismatch", "brandCAThumb names another brand CA than the path's", where);

  const offered = await Promise.all(input.crls.map((c) => (c instanceof Uint8Array ? prepareCrl(c) : c)));
  const checked = new Map<SetCertificate, ParsedCrl>();
  for (const [i, cert] of below.entries()) {
    const issuer = path[i + 1];
    let crl = checked.get(issuer);
    if (!crl) {
      crl = await namedCrl(p, issuer, bci.content.idCRLs, offered, at, where);
      checked.set(issuer, crl);
    }
    if (crl.revokedSerials.some((s) => bytesEqual(s, cert.serialBytes)))
      throw new SetError("revokedCertificate", `listed on the CRL of ${issuer.subject}`, cert.where);
  }
}

/**
 * CRL signatures already verified, per parsed CRL and issuer certificate object: a prepared CRL
 * checked again for a cached path costs no RSA operation. Both keys are immutable parses.
 */
const verifiedCrls = new WeakMap<ParsedCrl, WeakSet<SetCertificate>>();

async function namedCrl(
  p: CryptoProvider,
  issuer: SetCertificate,
  named: readonly CRLIdentifier[],
  offered: readonly PreparedCrl[],
  at: Date,
  where: string,
): Promise<ParsedCrl> {
  const id = named.find((n) => bytesEqual(new Uint8Array(n.issuerName), issuer.subjectDer));
  if (!id) throw new SetError("invalidCertificate", `names no CRL of ${issuer.subject}`, where);
  const found = offered.find((o) => bytesEqual(o.thumb, new Uint8Array(id.crlThumb)))?.crl;
  if (!found)
    throw new SetError(
      "missingCertificate",
      `CRL #${id.crlNumber} of ${issuer.subject} named by the BCI was not supplied`,
      where,
    );
  const crlWhere = `CRL #${id.crlNumber} of ${issuer.subject}`;
  if (!bytesEqual(found.issuerDer, issuer.subjectDer) || found.crlNumber !== Number(id.crlNumber))
    throw new SetError("invalidCertificate", "issuer or number differ from the BCI's entry", crlWhere);
  if (found.signatureAlgorithm !== sha256WithRSAEncryption)
    throw new SetError(
      "signatureFailure",
      `signature algorithm ${found.signatureAlgorithm} not allowed`,
      crlWhere,
    );
  if (!verifiedCrls.get(found)?.has(issuer)) {
    const ok = await issuerSignatureVerifies(p, issuer, found.signature, found.tbs);
    if (!ok)
      throw new SetError("signatureFailure", "signature does not verify with the issuer's key", crlWhere);
    const seen = verifiedCrls.get(found) ?? new WeakSet<SetCertificate>();
    seen.add(issuer);
    verifiedCrls.set(found, seen);
  }
  if (at.getTime() < found.thisUpdate.getTime())
    throw new SetError("invalidCertificate", `not issued until ${found.thisUpdate.toISOString()}`, crlWhere);
  if (!found.nextUpdate || at.getTime() > found.nextUpdate.getTime())
    throw new SetError(
      "invalidCertificate",
      `stale: its nextUpdate ${found.nextUpdate?.toISOString() ?? "(absent)"} has passed`,
      crlWhere,
    );
  return found;
}
