/**
 * CRLs and a BrandCRLIdentifier over a createTestPki hierarchy, for the revocation tests of the
 * purchase path: real X.509 CRLs signed by the test CAs' keys and a BCI signed by the brand CA.
 * `revocationFixture(p, pki)` is what a test merchant carries in PInitRes (`gateway.revocation`
 * of signPInitRes) for a card that requires revocation status.
 */
import { bytesEqual, concatBytes, context, tlv, universal } from "../asn1/tlv";
import { signBrandCRLIdentifier } from "../cert/brandCRLIdentifier";
import { parseCrl } from "../cert/revocation";
import { parseSetCertificate } from "../cert/setCertificate";
import type { CryptoProvider } from "../crypto/provider";
import { wholeSeconds } from "../wholeSeconds";
import type { PartyName, TestPki } from "./pki";

const DAY = 86400_000;
/** sha256WithRSAEncryption with NULL parameters. */
const sha256WithRsa = Uint8Array.of(
  0x30,
  0x0d,
  0x06,
  0x09,
  0x2a,
  0x86,
  0x48,
  0x86,
  0xf7,
  0x0d,
  0x01,
  0x01,
  0x0b,
  0x05,
  0x00,
);
const cRLNumberOid = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x14);

function utcTime(d: Date): Uint8Array {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(2, 14);
  return tlv(universal(23), false, new TextEncoder().encode(`${s}Z`));
}

function integer(content: Uint8Array): Uint8Array {
  return tlv(universal(2), false, content[0] & 0x80 ? concatBytes([Uint8Array.of(0), content]) : content);
}

export interface TestCrlOptions {
  readonly revoked?: readonly PartyName[];
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  readonly number?: number;
}

/** A CRL of CA `ca` listing the certificates of `revoked`, signed with the CA's key. */
export async function testCrl(
  p: CryptoProvider,
  pki: TestPki,
  ca: PartyName,
  o: TestCrlOptions = {},
): Promise<Uint8Array> {
  const issuer = parseSetCertificate(pki[ca].certificate);
  const now = p.now();
  const thisUpdate = o.thisUpdate ?? new Date(now.getTime() - 60_000);
  const nextUpdate = o.nextUpdate ?? new Date(now.getTime() + 7 * DAY);
  const entries = (o.revoked ?? []).map((n) =>
    tlv(
      universal(16),
      true,
      concatBytes([integer(parseSetCertificate(pki[n].certificate).serialBytes), utcTime(thisUpdate)]),
    ),
  );
  const extensions = tlv(
    context(0),
    true,
    tlv(
      universal(16),
      true,
      tlv(
        universal(16),
        true,
        concatBytes([cRLNumberOid, tlv(universal(4), false, integer(Uint8Array.of(o.number ?? 1)))]),
      ),
    ),
  );
  const tbs = tlv(
    universal(16),
    true,
    concatBytes([
      integer(Uint8Array.of(1)),
      sha256WithRsa,
      issuer.subjectDer,
      utcTime(thisUpdate),
      utcTime(nextUpdate),
      ...(entries.length > 0 ? [tlv(universal(16), true, concatBytes(entries))] : []),
      extensions,
    ]),
  );
  const signature = new Uint8Array(
    await p.crypto.subtle.sign("RSASSA-PKCS1-v1_5", pki[ca].privateKey, new Uint8Array(tbs)),
  );
  return tlv(
    universal(16),
    true,
    concatBytes([tbs, sha256WithRsa, tlv(universal(3), false, concatBytes([Uint8Array.of(0), signature]))]),
  );
}

export const testCas: readonly PartyName[] = ["root", "brandCa", "cardholderCa", "merchantCa", "gatewayCa"];

export interface RevocationFixtureOptions {
  /** Certificates to list on their issuer's CRL. */
  readonly revoked?: readonly PartyName[];
  /** CAs whose CRL the BCI leaves out. */
  readonly unnamed?: readonly PartyName[];
  /** Per-CA CRL options (e.g. a stale nextUpdate). */
  readonly crl?: Partial<Record<PartyName, TestCrlOptions>>;
  readonly bciLifetimeDays?: number;
  /** The BCI's sequenceNum; default 1. */
  readonly sequenceNum?: number;
}

/** A CRL per CA of the test PKI and the brand's BCI naming them. */
export async function revocationFixture(
  p: CryptoProvider,
  pki: TestPki,
  o: RevocationFixtureOptions = {},
): Promise<{ bci: Uint8Array; crls: Uint8Array[] }> {
  const issuerOf = (n: PartyName): PartyName | undefined =>
    testCas.find((ca) =>
      bytesEqual(
        parseSetCertificate(pki[n].certificate).issuerDer,
        parseSetCertificate(pki[ca].certificate).subjectDer,
      ),
    );
  const crls = await Promise.all(
    testCas.map((ca) =>
      testCrl(p, pki, ca, {
        revoked: (o.revoked ?? []).filter((n) => issuerOf(n) === ca),
        ...o.crl?.[ca],
      }),
    ),
  );
  const idCRLs = await Promise.all(
    testCas
      .map((ca, i) => ({ ca, der: crls[i] }))
      .filter(({ ca }) => !(o.unnamed ?? []).includes(ca))
      .map(async ({ ca, der }) => {
        const { tbs } = parseCrl(der);
        return {
          issuerName: parseSetCertificate(pki[ca].certificate).subjectDer,
          crlNumber: o.crl?.[ca]?.number ?? 1,
          crlThumb: new Uint8Array(await p.crypto.subtle.digest("SHA-256", new Uint8Array(tbs))),
        };
      }),
  );
  const notBefore = new Date(wholeSeconds(p.now()).getTime() - 60_000);
  const brandCa = parseSetCertificate(pki.brandCa.certificate);
  const bci = await signBrandCRLIdentifier(
    p,
    {
      version: 0,
      sequenceNum: o.sequenceNum ?? 1,
      brandID: pki.brand,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (o.bciLifetimeDays ?? 7) * DAY),
      idCRLs,
      brandCAThumb: await brandCa.thumb(),
    },
    pki.brandCa.privateKey,
  );
  return { bci, crls };
}
