import { encodeDer } from "../asn1/codec";
import { context, tlv, universal } from "../asn1/tlv";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { HashedRootKey } from "../schema/certExtensions";
import { CertExtension, Std } from "../schema/oids";
import {
  type CertificateOverrides,
  createTestPki,
  defaultMerchantData,
  type PartyName,
  type TestPki,
} from "../testing/pki";
import { checkCertificateUse, checkSetProfile, type IntendedUse } from "./profileChecks";
import { parseSetCertificate } from "./setCertificate";

const p = nodeProvider();

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

function failure(f: () => void): SetError {
  try {
    f();
  } catch (e) {
    if (e instanceof SetError) return e;
    throw e;
  }
  throw new Error("check passed");
}

async function profileFailure(name: PartyName, overrides: CertificateOverrides): Promise<SetError> {
  const bad = await createTestPki(p, { overrides: { [name]: overrides } });
  const cert = parseSetCertificate(bad[name].certificate);
  return failure(() => checkSetProfile(cert));
}

describe("checkSetProfile", () => {
  test("every party of the test PKI conforms", () => {
    for (const p of Object.values(pki.parties)) checkSetProfile(parseSetCertificate(p.certificate));
  });

  test.each<[string, PartyName, CertificateOverrides, RegExp]>([
    ["certificateType missing", "cardholder", { certificateType: null }, /certificateType extension missing/],
    ["certificateType empty", "cardholder", { certificateType: [] }, /names no role/],
    ["keyUsage missing", "merchantSig", { keyUsage: null }, /keyUsage extension missing/],
    [
      "certificatePolicies missing",
      "gatewaySig",
      { certificatePolicies: null },
      /certificatePolicies extension missing/,
    ],
    [
      "no SET root policy",
      "gatewaySig",
      { certificatePolicies: ["1.3.6.1.4.1.32473.1.50"] },
      /SET root policy/,
    ],
    [
      "CA and end-entity roles mixed",
      "merchantCa",
      { certificateType: ["mca", "mer"] },
      /mixes CA and end-entity/,
    ],
    ["CA without basicConstraints", "merchantCa", { basicConstraints: null }, /cA=TRUE/],
    ["CA without keyCertSign", "merchantCa", { keyUsage: ["digitalSignature", "cRLSign"] }, /keyCertSign/],
    ["end entity with cA=TRUE", "cardholder", { basicConstraints: { ca: true } }, /must not have cA=TRUE/],
    [
      "end entity that certifies",
      "cardholder",
      { keyUsage: ["digitalSignature", "keyCertSign"] },
      /must not certify/,
    ],
    [
      "signature and key exchange in one",
      "merchantSig",
      { keyUsage: ["digitalSignature", "keyEncipherment"] },
      /either for signature or/,
    ],
    [
      "neither signature nor key exchange",
      "merchantSig",
      { keyUsage: ["dataEncipherment"] },
      /either for signature or/,
    ],
    ["no brand below the root", "cardholder", { brand: null }, /no brand/],
  ])("%s", async (_, name, overrides, message) => {
    const e = await profileFailure(name, overrides);
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toMatch(message);
  });

  test("a non-critical certificateType is refused", async () => {
    const value = Uint8Array.of(0x03, 0x02, 0x07, 0x80);
    const e = await profileFailure("cardholder", {
      certificateType: null,
      extraExtensions: [{ oid: CertExtension.certificateType, critical: false, value }],
    });
    expect(e.message).toMatch(/must be critical/);
    expect(e.oid).toBe(CertExtension.certificateType);
  });

  test("an authorityKeyIdentifier with a key identifier is refused", async () => {
    const value = tlv(universal(16), true, tlv(context(0), false, new Uint8Array(20).fill(7)));
    const e = await profileFailure("cardholder", {
      authorityKeyIdentifier: null,
      extraExtensions: [{ oid: "2.5.29.35", critical: false, value }],
    });
    expect(e.message).toMatch(/issuer\+serial/);
  });

  test.each([
    ["nameConstraints", "2.5.29.30"],
    ["policyMappings", "2.5.29.33"],
    ["policyConstraints", "2.5.29.36"],
    ["inhibitAnyPolicy", "2.5.29.54"],
  ])("a non-critical %s (an RFC 5280 path constraint we do not evaluate) is refused", async (_, oid) => {
    const e = await profileFailure("merchantCa", {
      extraExtensions: [{ oid, critical: false, value: Uint8Array.of(0x30, 0x00) }],
    });
    expect(e.code).toBe("invalidCertificate");
    expect(e.oid).toBe(oid);
    expect(e.message).toMatch(/path constraint SET does not use/);
  });

  test("hashedRootKey outside a root and merchantData outside a merchant are refused", async () => {
    const hrk = encodeDer(HashedRootKey, {
      digestAlgorithm: { algorithm: Std.sha256 },
      rootKeyHash: new Uint8Array(32),
    });
    const e1 = await profileFailure("brandCa", {
      extraExtensions: [{ oid: CertExtension.hashedRootKey, critical: true, value: hrk }],
    });
    expect(e1.oid).toBe(CertExtension.hashedRootKey);
    const md = encodeDer((await import("../schema/certExtensions")).MerchantData, defaultMerchantData);
    const e2 = await profileFailure("cardholder", {
      extraExtensions: [{ oid: CertExtension.merchantData, critical: false, value: md }],
    });
    expect(e2.oid).toBe(CertExtension.merchantData);
  });
});

describe("checkCertificateUse", () => {
  const fits: [PartyName, IntendedUse][] = [
    ["cardholder", { role: "card", use: "signature" }],
    ["merchantSig", { role: "mer", use: "signature" }],
    ["merchantKex", { role: "mer", use: "keyEncipherment" }],
    ["gatewaySig", { role: "pgwy", use: "signature" }],
    ["gatewayKex", { role: "pgwy", use: "keyEncipherment" }],
    ["cardholderCa", { role: "cca", use: "certSign" }],
    ["merchantCa", { role: "mca", use: "signature" }],
    ["brandCa", { role: "bca", use: "certSign" }],
    ["root", { role: "rca", use: "certSign" }],
  ];
  test.each(fits)("%s fits %o", (name, use) => {
    checkCertificateUse(parseSetCertificate(pki[name].certificate), use);
  });

  test.each<[string, PartyName, IntendedUse, RegExp]>([
    [
      "a merchant certificate offered as the gateway's",
      "merchantKex",
      { role: "pgwy", use: "keyEncipherment" },
      /expected a pgwy certificate, got certificateType mer/,
    ],
    [
      "a gateway signature certificate used to encrypt",
      "gatewaySig",
      { role: "pgwy", use: "keyEncipherment" },
      /cannot be used for keyEncipherment/,
    ],
    [
      "a gateway key-exchange certificate used to verify",
      "gatewayKex",
      { role: "pgwy", use: "signature" },
      /cannot be used for signature/,
    ],
    [
      "a merchant key-exchange certificate used to verify",
      "merchantKex",
      { role: "mer", use: "signature" },
      /lacks digitalSignature/,
    ],
    [
      "a cardholder certificate as a CA",
      "cardholder",
      { role: "card", use: "certSign" },
      /lacks keyCertSign/,
    ],
    [
      "the brand CA signing messages",
      "brandCa",
      { role: "bca", use: "signature" },
      /cannot be used for signature/,
    ],
  ])("%s is refused", (_, name, use, message) => {
    const e = failure(() => checkCertificateUse(parseSetCertificate(pki[name].certificate), use));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toMatch(message);
  });
});
