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

import * as asn1js from "asn1js";
import { bytesEqual } from "../asn1/tlv";
import { SetError } from "../errors";
import type { CRLIdentifier } from "../schema/certExtensions";
import { type VerifiedBrandCRLIdentifier, verifyBrandCRLIdentifier } from "./brandCRLIdentifier";
import { type CryptoSource, resolveCrypto } from "./cryptoSource";
import { issuerSignatureVerifies } from "./issuerSignature";
import type { SetCertificate } from "./setCertificate";

const sha256WithRSAEncryption = "1.2.840.113549.1.1.11";

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

/** Parse and thumb a DER CRL once (`invalidCertificate` when it is not one). */
export async function prepareCrl(source: CryptoSource, der: Uint8Array): Promise<PreparedCrl> {
  const { crypto } = resolveCrypto(source);
  const crl = parseCrl(der);
  return { crl, thumb: new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(crl.tbs))) };
}

/**
 * Revocation material prepared once: the BCI verified against its brand CA certificate (its
 * validity is still checked at every use) and every CRL parsed and thumbed.
 */
export async function prepareRevocation(
  source: CryptoSource,
  material: {
    readonly bci: Uint8Array;
    readonly brandCa: SetCertificate;
    readonly crls: readonly Uint8Array[];
  },
  at: Date,
): Promise<Omit<RevocationInput, "at">> {
  return {
    bci: await verifyBrandCRLIdentifier(source, material.bci, material.brandCa, at),
    crls: await Promise.all(material.crls.map((der) => prepareCrl(source, der))),
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

const raw = (n: asn1js.AsnType) => new Uint8Array(n.valueBeforeDecodeView);

/**
 * Parse a DER CRL; `invalidCertificate` when it is not one. Read with asn1js directly: pkijs 3.4.3
 * throws on a revoked entry without entry extensions, which is what our CA writes.
 */
export function parseCrl(der: Uint8Array): ParsedCrl {
  try {
    return readCrl(der);
  } catch (e) {
    // A shape the reader does not expect (or BER asn1js itself throws on) is not a CRL either.
    if (e instanceof SetError) throw e;
    throw new SetError("invalidCertificate", `not an X.509 CRL: unreadable (${(e as Error).name})`, "CRL");
  }
}

function readCrl(der: Uint8Array): ParsedCrl {
  const bytes = new Uint8Array(der);
  const parsed = asn1js.fromBER(bytes);
  const bad = (why: string) => new SetError("invalidCertificate", `not an X.509 CRL: ${why}`, "CRL");
  if (parsed.offset === -1 || parsed.offset !== bytes.length) throw bad("not one complete DER object");
  const outer = parsed.result instanceof asn1js.Sequence ? parsed.result.valueBlock.value : [];
  const [tbs, algorithm, signature] = outer;
  if (outer.length !== 3 || !(tbs instanceof asn1js.Sequence) || !(signature instanceof asn1js.BitString))
    throw bad("not a signed SEQUENCE");
  const fields = tbs.valueBlock.value;
  let i = fields[0] instanceof asn1js.Integer ? 1 : 0;
  const issuer = fields[i + 1];
  const time = (n: asn1js.AsnType | undefined) =>
    n instanceof asn1js.UTCTime || n instanceof asn1js.GeneralizedTime ? n.toDate() : undefined;
  const thisUpdate = time(fields[i + 2]);
  if (!(issuer instanceof asn1js.Sequence) || !thisUpdate) throw bad("no issuer or thisUpdate");
  i += 3;
  const nextUpdate = time(fields[i]);
  if (nextUpdate) i++;
  const revokedSerials: Uint8Array[] = [];
  if (fields[i] instanceof asn1js.Sequence) {
    for (const entry of (fields[i] as asn1js.Sequence).valueBlock.value) {
      const serial = entry instanceof asn1js.Sequence ? entry.valueBlock.value[0] : undefined;
      if (!(serial instanceof asn1js.Integer)) throw bad("a revoked entry has no serial");
      revokedSerials.push(new Uint8Array(serial.valueBlock.valueHexView));
    }
    i++;
  }
  let crlNumber: number | undefined;
  const extensions = fields[i];
  if (extensions?.idBlock.tagClass === 3 && extensions.idBlock.tagNumber === 0) {
    const list =
      ((extensions as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence)?.valueBlock.value ?? [];
    for (const ext of list) {
      const [id, ...rest] = (ext as asn1js.Sequence).valueBlock.value;
      const value = rest[rest.length - 1];
      if (!(id instanceof asn1js.ObjectIdentifier) || id.valueBlock.toString() !== "2.5.29.20") continue;
      if (!(value instanceof asn1js.OctetString)) throw bad("malformed cRLNumber");
      const n = asn1js.fromBER(value.valueBlock.valueHexView).result;
      if (n instanceof asn1js.Integer) crlNumber = n.valueBlock.valueDec;
    }
  }
  const algorithmId = algorithm instanceof asn1js.Sequence ? algorithm.valueBlock.value[0] : undefined;
  return {
    der: bytes,
    tbs: raw(tbs),
    issuerDer: raw(issuer),
    thisUpdate,
    nextUpdate,
    crlNumber,
    revokedSerials,
    signatureAlgorithm:
      algorithmId instanceof asn1js.ObjectIdentifier ? algorithmId.valueBlock.toString() : "",
    signature: new Uint8Array(signature.valueBlock.valueHexView),
  };
}

/**
 * Check every certificate of `path` (leaf first, pinned root last) below the root against the CRL
 * of its issuer named by the BCI. Throws SetError `revokedCertificate` for a listed serial; see the
 * module comment for the other failures.
 */
export async function checkRevocation(
  source: CryptoSource,
  path: readonly SetCertificate[],
  input: RevocationInput,
): Promise<void> {
  const { crypto } = resolveCrypto(source);
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
    bci = await verifyBrandCRLIdentifier(source, input.bci.der, signer, at);
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
  if (brandCa && !bytesEqual(await brandCa.thumb(crypto), bci.content.brandCAThumb))
    throw new SetError("thumbsMismatch", "brandCAThumb names another brand CA than the path's", where);

  const offered = await Promise.all(
    input.crls.map((c) => (c instanceof Uint8Array ? prepareCrl(source, c) : c)),
  );
  const checked = new Map<SetCertificate, ParsedCrl>();
  for (const [i, cert] of below.entries()) {
    const issuer = path[i + 1];
    let crl = checked.get(issuer);
    if (!crl) {
      crl = await namedCrl(crypto, issuer, bci.content.idCRLs, offered, at, where);
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
  crypto: Crypto,
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
    const ok = await issuerSignatureVerifies(crypto, issuer, found.signature, found.tbs);
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
