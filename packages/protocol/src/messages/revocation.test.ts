/**
 * Revocation in the purchase path: the card (PInitRes, with the BCI and CRLs the merchant carries),
 * the merchant (the cardholder's certificate in PReq) and the gateway (the merchant's certificate
 * in AuthReq, the cardholder's in the PI) refuse a certificate listed on a CRL the brand's BCI
 * names, and refuse missing, unnamed or stale revocation material.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeDer } from "../asn1/codec";
import { prepareRevocation } from "../cert/revocation";
import { parseSetCertificate } from "../cert/setCertificate";
import { thumbOf } from "../cert/thumb";
import type { Trust } from "../cert/trust";
import { ValidatedChainCache } from "../cert/validatedChainCache";
import { type CryptoProvider, nodeProvider } from "../crypto/provider";
import { buildPReqDualSigned } from "../purchase/cardholder";
import { openPIDualSigned } from "../purchase/gateway";
import { verifyPReqAsMerchant } from "../purchase/merchant";
import { BrandCRLIdentifier } from "../schema/certExtensions";
import { createTestPki, type PartyName, type TestPki } from "../testing/pki";
import { revocationFixture } from "../testing/revocation";
import { openAuthReq, sealAuthReq } from "./authReq";
import { type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { signPInitRes, verifyPInitRes } from "./pInit";
import { signPRes, verifyPRes } from "./pRes";
import { takeCrls, withCrls } from "./signedDataCrls";

const p: CryptoProvider = nodeProvider();
const DAY = 86400_000;
let pki: TestPki;
let m: MessageFixture;
let expected: { chall_C: Uint8Array; lid_C: Uint8Array; brandID: string };

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  expected = { chall_C: m.pInitResData.chall_C, lid_C: m.pInitResData.transIDs.lid_C, brandID: "Visa" };
});

const material = (o: Parameters<typeof revocationFixture>[2] = {}) => revocationFixture(p, pki, o);
/** A Trust holding the brand's material, prepared once as merchant and gateway do at startup. */
async function trustWith(o: Parameters<typeof revocationFixture>[2] = {}, base: Trust = m.trust) {
  const r = await material(o);
  const prepared = await prepareRevocation(
    p,
    { bci: r.bci, brandCa: parseSetCertificate(pki.brandCa.certificate), crls: r.crls },
    base.at,
  );
  return { ...base, revocation: { Visa: prepared } } satisfies Trust;
}
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;

describe("the card: verifyPInitRes with the BCI and CRLs the PInitRes carries", () => {
  const pInitRes = async (
    o: Parameters<typeof revocationFixture>[2] = {},
    signer: PartyName = "merchantSig",
  ) =>
    signPInitRes(p, m.signer(signer), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
      chain: pki.intermediatesOf("gatewayKex"),
      revocation: await material(o),
    });
  const require = { requireRevocation: true };

  it("accepts a PInitRes whose BCI and CRLs list neither certificate; the BCI rides in PInitResData, the CRLs in the SignedData", async () => {
    const signed = await pInitRes();
    const v = await verifyPInitRes(p, signed, expected, m.trust, require);
    expect(v.data.brandCRLIdentifier?.unsignedBrandCRLIdentifier).toBeDefined();
    expect(takeCrls(signed).crls).toHaveLength(5);
  });

  it("refuses a revoked merchant signature certificate", async () => {
    const signed = await pInitRes({ revoked: ["merchantSig"] });
    expect(await code(verifyPInitRes(p, signed, expected, m.trust, require))).toBe("revokedCertificate");
    // Revocation is checked whenever the material is there, required or not.
    expect(await code(verifyPInitRes(p, signed, expected, m.trust))).toBe("revokedCertificate");
  });

  it("refuses a revoked gateway key-exchange certificate", async () => {
    const signed = await pInitRes({ revoked: ["gatewayKex"] });
    expect(await code(verifyPInitRes(p, signed, expected, m.trust, require))).toBe("revokedCertificate");
  });

  it("refuses a revoked CA on the path (the merchant CA on the brand CA's CRL)", async () => {
    const signed = await pInitRes({ revoked: ["merchantCa"] });
    expect(await code(verifyPInitRes(p, signed, expected, m.trust, require))).toBe("revokedCertificate");
  });

  it("refuses, when required, a PInitRes that carries no BCI; accepts it when not required", async () => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
      chain: pki.intermediatesOf("gatewayKex"),
    });
    const e = await rejection(verifyPInitRes(p, signed, expected, m.trust, require));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("BrandCRLIdentifier");
    await expect(verifyPInitRes(p, signed, expected, m.trust)).resolves.toBeDefined();
  });

  it("refuses a BCI that does not name the merchant CA's CRL", async () => {
    const signed = await pInitRes({ unnamed: ["merchantCa"] });
    expect(await code(verifyPInitRes(p, signed, expected, m.trust, require))).toBe("invalidCertificate");
  });

  it("refuses a CRL the BCI names but the PInitRes does not carry (missingCertificate)", async () => {
    const r = await material({ revoked: ["merchantSig"] });
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
      chain: pki.intermediatesOf("gatewayKex"),
      // The merchant leaves out the CRL that lists it.
      revocation: { bci: r.bci, crls: r.crls.filter((_, i) => i !== 3) },
    });
    expect(await code(verifyPInitRes(p, signed, expected, m.trust, require))).toBe("missingCertificate");
  });

  it("refuses an expired CRL", async () => {
    const past = new Date(Date.now() - 2 * DAY);
    const signed = await pInitRes({
      crl: { merchantCa: { thisUpdate: new Date(past.getTime() - DAY), nextUpdate: past } },
    });
    const e = await rejection(verifyPInitRes(p, signed, expected, m.trust, require));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("stale");
  });

  it("refuses an expired BCI", async () => {
    const signed = await pInitRes({ bciLifetimeDays: 1 });
    const later = { ...m.trust, at: new Date(Date.now() + 2 * DAY) };
    expect(await code(verifyPInitRes(p, signed, expected, later, require))).toBe("invalidCertificate");
  });

  it("refuses a BCI signed by another brand CA than the one on the merchant's path", async () => {
    const other = await createTestPki(p, { serialSeed: 4242 });
    const foreign = await revocationFixture(p, other);
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
      chain: pki.intermediatesOf("gatewayKex"),
      revocation: { bci: foreign.bci, crls: (await material()).crls },
    });
    expect(await code(verifyPInitRes(p, signed, expected, m.trust, require))).toBe("thumbsMismatch");
  });

  it("refuses a BCI older than the one the card accepted last (an old BCI and CRLs replayed); takes the same one or a newer one", async () => {
    const current = await pInitRes({ sequenceNum: 7 });
    const v = await verifyPInitRes(p, current, { ...expected, bciSequenceNum: 6 }, m.trust, require);
    expect(v.bciSequenceNum).toBe(7);
    const same = await verifyPInitRes(p, current, { ...expected, bciSequenceNum: 7 }, m.trust, require);
    expect(same.bciSequenceNum).toBe(7);
    // The replayed BCI is genuine, within its validity, and its CRLs list nothing: only its age refuses it.
    const old = await pInitRes({ sequenceNum: 6 });
    await expect(verifyPInitRes(p, old, expected, m.trust, require)).resolves.toBeDefined();
    const e = await rejection(verifyPInitRes(p, old, { ...expected, bciSequenceNum: 7 }, m.trust, require));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("superseded");
  });

  it("a cached chain does not bypass revocation", async () => {
    const trust = { ...m.trust, chainCache: new ValidatedChainCache() };
    await verifyPInitRes(p, await pInitRes(), expected, trust, require);
    expect(trust.chainCache.size).toBe(2);
    const revoked = await pInitRes({ revoked: ["merchantSig"] });
    expect(await code(verifyPInitRes(p, revoked, expected, trust, require))).toBe("revokedCertificate");
    expect(trust.chainCache.hits).toBeGreaterThan(0);
  });
});

describe("the card: verifyPRes with a BCI and CRLs the PRes carries", () => {
  const pRes = async (o: Parameters<typeof revocationFixture>[2] = {}) => {
    const r = await material(o);
    const data = { ...m.pResData, brandCRLIdentifier: decodeDer(BrandCRLIdentifier, r.bci) };
    return withCrls(await signPRes(p, m.signer("merchantSig"), data), r.crls);
  };
  const expectedPRes = (bciSequenceNum?: number) => ({
    xid: m.pResData.transIDs.xid,
    chall_C: m.pResData.chall_C,
    merchantCertificate: pki.merchantSig.certificate,
    brandID: "Visa",
    ...(bciSequenceNum === undefined ? {} : { bciSequenceNum }),
  });

  it("refuses a BCI older than the one the card accepted last; takes the same one, a newer one, or none", async () => {
    const old = await pRes({ sequenceNum: 6 });
    // Genuine, within its validity, naming CRLs that list nothing: only its age refuses it.
    await expect(verifyPRes(p, old, expectedPRes(), m.trust)).resolves.toBeDefined();
    const e = await rejection(verifyPRes(p, old, expectedPRes(7), m.trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.where).toBe("PResData.brandCRLIdentifier");
    await expect(
      verifyPRes(p, await pRes({ sequenceNum: 7 }), expectedPRes(7), m.trust),
    ).resolves.toBeDefined();
    await expect(
      verifyPRes(p, await pRes({ sequenceNum: 8 }), expectedPRes(7), m.trust),
    ).resolves.toBeDefined();
    const bare = await signPRes(p, m.signer("merchantSig"), m.pResData);
    await expect(verifyPRes(p, bare, expectedPRes(7), m.trust)).resolves.toEqual(m.pResData);
  });

  it("checks the merchant against the CRLs the carried BCI names: revoked, or a CRL it names missing", async () => {
    expect(await code(verifyPRes(p, await pRes({ revoked: ["merchantSig"] }), expectedPRes(), m.trust))).toBe(
      "revokedCertificate",
    );
    const withoutCrls = (await takeCrls(await pRes())).message;
    expect(await code(verifyPRes(p, withoutCrls, expectedPRes(), m.trust))).toBe("missingCertificate");
  });
});

describe("the gateway: openAuthReq and the PI under a Trust with the brand's revocation material", () => {
  const seal = (signer = m.authSigner()) =>
    sealAuthReq(p, signer, pki.gatewayKex.certificate, m.authReqData, m.piDer);

  it("opens an AuthReq of a merchant not on any CRL", async () => {
    const trust = await trustWith();
    await expect(openAuthReq(p, m.decrypter("gatewayKex"), await seal(), trust)).resolves.toBeDefined();
  });

  it("refuses an AuthReq signed with a revoked merchant signature certificate, even after a cached accept", async () => {
    const cache = new ValidatedChainCache();
    const clean = await trustWith({}, { ...m.trust, chainCache: cache });
    await openAuthReq(p, m.decrypter("gatewayKex"), await seal(), clean);
    const revoked = await trustWith({ revoked: ["merchantSig"] }, { ...m.trust, chainCache: cache });
    expect(await code(openAuthReq(p, m.decrypter("gatewayKex"), await seal(), revoked))).toBe(
      "revokedCertificate",
    );
    expect(cache.hits).toBeGreaterThan(0);
  });

  it("refuses an AuthReq whose carried merchant key-exchange certificate is revoked, and names it", async () => {
    const trust = await trustWith({ revoked: ["merchantKex"] });
    const e = await rejection(openAuthReq(p, m.decrypter("gatewayKex"), await seal(), trust));
    expect(e.code).toBe("revokedCertificate");
    expect(e.thumb).toEqual(await thumbOf(p, parseSetCertificate(pki.merchantKex.certificate)));
  });

  it("refuses a PI signed with a revoked cardholder certificate", async () => {
    const f = m.f;
    const trust = await trustWith({ revoked: ["cardholder"] }, f.trust);
    const built = await buildPReqDualSigned(p, f.input);
    const pReq = { type: "pReqDualSigned" as const, value: built.pReq };
    const merchant = await verifyPReqAsMerchant(p, pReq, f.order, f.trust);
    const ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
    await expect(
      openPIDualSigned(p, built.pReq.piDualSigned, ctx, await trustWith({}, f.trust)),
    ).resolves.toBeDefined();
    expect(await code(openPIDualSigned(p, built.pReq.piDualSigned, ctx, trust))).toBe("revokedCertificate");
  });

  it("refuses every certificate of a brand the Trust holds no material for", async () => {
    const trust = { ...(await trustWith()), revocation: { MasterCard: (await trustWith()).revocation.Visa } };
    const e = await rejection(openAuthReq(p, m.decrypter("gatewayKex"), await seal(), trust));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toContain("BrandCRLIdentifier");
  });

  it("refuses with a stale CRL in the Trust", async () => {
    const past = new Date(Date.now() - 2 * DAY);
    const trust = await trustWith({
      crl: { merchantCa: { thisUpdate: new Date(past.getTime() - DAY), nextUpdate: past } },
    });
    expect(await code(openAuthReq(p, m.decrypter("gatewayKex"), await seal(), trust))).toBe(
      "invalidCertificate",
    );
  });
});

describe("the merchant: verifyPReqAsMerchant under a Trust with the brand's revocation material", () => {
  it("refuses a PReq signed with a revoked cardholder certificate, and accepts it otherwise", async () => {
    const f = m.f;
    const built = await buildPReqDualSigned(p, f.input);
    const pReq = { type: "pReqDualSigned" as const, value: built.pReq };
    await expect(verifyPReqAsMerchant(p, pReq, f.order, await trustWith({}, f.trust))).resolves.toBeDefined();
    const trust = await trustWith({ revoked: ["cardholder"] }, f.trust);
    expect(await code(verifyPReqAsMerchant(p, pReq, f.order, trust))).toBe("revokedCertificate");
  });

  it("refuses a PReq when the BCI does not name the cardholder CA's CRL", async () => {
    const f = m.f;
    const built = await buildPReqDualSigned(p, f.input);
    const pReq = { type: "pReqDualSigned" as const, value: built.pReq };
    const trust = await trustWith({ unnamed: ["cardholderCa"] }, f.trust);
    expect(await code(verifyPReqAsMerchant(p, pReq, f.order, trust))).toBe("invalidCertificate");
  });
});

describe("OpenSSL reads the CRLs a PInitRes carries", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "setlab-pinitres-crls-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pem = (der: Uint8Array) =>
    `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64")}\n-----END CERTIFICATE-----\n`;
  const opensslVerify = async (revoked: PartyName[]) => {
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
      chain: pki.intermediatesOf("gatewayKex"),
      revocation: await revocationFixture(p, pki, { revoked }),
    });
    const file = join(dir, `pinitres-${revoked.join("-") || "clean"}.der`);
    writeFileSync(file, signed);
    writeFileSync(join(dir, "root.pem"), pem(pki.root.certificate));
    const r = spawnSync(
      "openssl",
      [
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        file,
        "-binary",
        "-out",
        join(dir, "content.der"),
        "-CAfile",
        join(dir, "root.pem"),
        "-ignore_critical",
        "-purpose",
        "any",
        "-crl_check",
      ],
      { encoding: "utf8" },
    );
    return `${r.stdout}${r.stderr}`;
  };

  it("openssl cms -verify -crl_check accepts the clean PInitRes and refuses the one whose signer is revoked", async () => {
    expect(await opensslVerify([])).toContain("Verification successful");
    expect(await opensslVerify(["merchantSig"])).toContain("certificate revoked");
  });
});
