/**
 * Golden vectors for the dual signature: fixed keys (testdata/keys), fixed certificate dates and
 * serials, a seeded random stream and a fixed clock make every byte reproducible, so any change in
 * encoding, digesting or signing shows up here. Regenerate deliberately with UPDATE_GOLDEN=1.
 * The EX envelope is not pinned: WebCrypto chooses the OAEP seed itself.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeDer } from "../asn1/codec";
import { deterministic } from "../crypto/deterministic";
import { H } from "../crypto/digest";
import { type CryptoProvider, nodeProvider, peculiarProvider } from "../crypto/provider";
import { OIData, PI_TBS } from "../schema/purchase";
import { createTestPki, type PartyName, partyNames } from "../testing/pki";
import { purchaseFixture } from "../testing/purchaseFixture";
import { buildPReqDualSigned } from "./cardholder";
import { openPIDualSigned } from "./gateway";
import { verifyPReqAsMerchant } from "./merchant";

const here = join(__dirname, "testdata");
const goldenFile = join(here, "dualSignature.golden.json");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const kexParties: readonly PartyName[] = ["merchantKex", "gatewayKex"];

async function fixedKeys(p: CryptoProvider): Promise<Record<PartyName, CryptoKeyPair>> {
  const out = {} as Record<PartyName, CryptoKeyPair>;
  for (const name of partyNames) {
    const pem = readFileSync(join(here, "keys", `${name}.pem`), "utf8");
    const pkcs8 = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    const kex = kexParties.includes(name);
    const algorithm = kex
      ? { name: "RSA-OAEP", hash: "SHA-256" }
      : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const privateKey = await p.crypto.subtle.importKey(
      "pkcs8",
      pkcs8,
      algorithm,
      true,
      kex ? ["decrypt", "unwrapKey"] : ["sign"],
    );
    const { kty, n, e } = await p.crypto.subtle.exportKey("jwk", privateKey);
    const publicKey = await p.crypto.subtle.importKey(
      "jwk",
      { kty, n, e },
      algorithm,
      true,
      kex ? ["encrypt", "wrapKey"] : ["verify"],
    );
    out[name] = { privateKey, publicKey };
  }
  return out;
}

async function vectors(base: CryptoProvider) {
  const at = new Date(Date.UTC(2026, 10, 25, 12, 0, 0));
  const p = deterministic(base, { seed: new Uint8Array(32).fill(0x5e), now: at });
  const pki = await createTestPki(p, {
    keys: await fixedKeys(p),
    notBefore: new Date(Date.UTC(2026, 0, 1)),
    notAfter: new Date(Date.UTC(2029, 11, 31)),
    serialSeed: 4096,
  });
  const f = await purchaseFixture(p, { pki, at });
  const built = await buildPReqDualSigned(p, f.input);
  const { oiDualSigned, piDualSigned } = built.pReq;
  const merchant = await verifyPReqAsMerchant(
    p,
    { type: "pReqDualSigned", value: built.pReq },
    f.order,
    f.trust,
  );
  const ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
  await openPIDualSigned(p, piDualSigned, ctx, f.trust);
  return {
    cardholderCertificateSha256: hex(await H(p, pki.cardholder.certificate)),
    oiData: hex(encodeDer(OIData, oiDualSigned.oiData)),
    hOIData: hex(merchant.hOIData.digest),
    hPIData: hex(oiDualSigned.hPIData.digest),
    piTbs: hex(encodeDer(PI_TBS, { hPIData: oiDualSigned.hPIData, hOIData: merchant.hOIData })),
    piSignatureSha256: hex(await H(p, piDualSigned.piSignature)),
  };
}

describe("dual-signature golden vectors", () => {
  it.each([
    ["node", nodeProvider()],
    ["peculiar", peculiarProvider()],
  ] as [string, CryptoProvider][])(
    "the %s provider reproduces the recorded bytes",
    async (name, provider) => {
      const got = await vectors(provider);
      if (process.env.UPDATE_GOLDEN && name === "node")
        writeFileSync(goldenFile, `${JSON.stringify(got, null, 2)}\n`);
      expect(got).toEqual(JSON.parse(readFileSync(goldenFile, "utf8")));
    },
  );
});
