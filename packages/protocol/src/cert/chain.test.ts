import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { context, tlv, universal } from "../asn1/tlv";
import { nodeProvider, peculiarProvider } from "../crypto/provider";
import { SetError } from "../errors";
import {
  cachedTestKeyPair,
  createTestParty,
  createTestPki,
  type PartyName,
  partyNames,
  type TestPki,
} from "../testing/pki";
import { validateChain } from "./chain";
import { parseSetCertificate } from "./setCertificate";

const p = nodeProvider();

let pki: TestPki;
const now = new Date();
beforeAll(async () => {
  pki = await createTestPki();
});

async function failure(p: Promise<unknown>): Promise<SetError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SetError) return e;
    throw e;
  }
  throw new Error("validation passed");
}

const validate = (t: TestPki, name: PartyName, at = now, root = t.root.certificate) =>
  validateChain(p, t[name].certificate, t.intermediatesOf(name), root, at);

describe("validateChain", () => {
  test("every party of the test PKI validates to the pinned root", async () => {
    for (const n of partyNames.filter((p) => p !== "nextRoot")) {
      const chain = await validate(pki, n);
      expect(chain.leaf.der).toEqual(pki[n].certificate);
      expect(chain.root.der).toEqual(pki.root.certificate);
      expect(chain.path).toHaveLength(n === "root" ? 1 : n === "brandCa" ? 2 : n.endsWith("Ca") ? 3 : 4);
      if (n !== "root") expect(chain.brand).toBe("Visa");
    }
  });

  test("works with @peculiar/webcrypto's provider and with another node provider object", async () => {
    const peculiar = peculiarProvider();
    const chain = await validateChain(
      peculiar,
      pki.gatewayKex.certificate,
      pki.intermediatesOf("gatewayKex"),
      pki.root.certificate,
      now,
    );
    expect(chain.leaf.hasRole("pgwy")).toBe(true);
    const provider = nodeProvider();
    await expect(
      validateChain(
        provider,
        pki.cardholder.certificate,
        pki.intermediatesOf("cardholder"),
        pki.root.certificate,
        now,
      ),
    ).resolves.toBeDefined();
  });

  test("intermediates may come in any order and with extras", async () => {
    const pool = [
      pki.gatewayCa.certificate,
      pki.cardholderCa.certificate,
      pki.brandCa.certificate,
      pki.merchantCa.certificate,
    ];
    await expect(
      validateChain(p, pki.merchantKex.certificate, pool, pki.root.certificate, now),
    ).resolves.toBeDefined();
  });

  test("an expired leaf is expiredCertificate", async () => {
    const later = new Date(now.getTime() + 3 * 365 * 86400_000);
    const bad = await createTestPki(p, {
      overrides: { merchantSig: { notAfter: new Date(now.getTime() - 1000) } },
    });
    expect((await failure(validate(bad, "merchantSig"))).code).toBe("expiredCertificate");
    expect((await failure(validate(pki, "merchantSig", later))).code).toBe("expiredCertificate");
  });

  test("an expired CA is expiredCertificate, blamed on the CA", async () => {
    const bad = await createTestPki(p, {
      overrides: { merchantCa: { notAfter: new Date(now.getTime() - 1000) } },
    });
    const e = await failure(validate(bad, "merchantSig"));
    expect(e.code).toBe("expiredCertificate");
    expect(e.where).toContain("Merchant CA");
  });

  test("a certificate not yet valid is invalidCertificate", async () => {
    const bad = await createTestPki(p, {
      overrides: { cardholder: { notBefore: new Date(now.getTime() + 86400_000) } },
    });
    expect((await failure(validate(bad, "cardholder"))).message).toMatch(/not valid before/);
  });

  test("a missing intermediate or a foreign root is invalidCertificate", async () => {
    const e = await failure(
      validateChain(p, pki.merchantSig.certificate, [pki.merchantCa.certificate], pki.root.certificate, now),
    );
    expect(e.code).toBe("invalidCertificate");
    const other = await createTestPki(p, {
      keys: { root: await cachedTestKeyPair("foreignRoot", "ca") },
    });
    expect((await failure(validate(pki, "merchantSig", now, other.root.certificate))).code).toBe(
      "invalidCertificate",
    );
  });

  test("a tampered certificate signature is invalidCertificate", async () => {
    const der = Uint8Array.from(pki.cardholder.certificate);
    der[der.length - 5] ^= 1;
    const e = await failure(
      validateChain(p, der, pki.intermediatesOf("cardholder"), pki.root.certificate, now),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toMatch(/signature/);
  });

  test("a certificate naming the right issuer but signed by another key is invalidCertificate", async () => {
    const bad = await createTestPki(p, {
      overrides: { cardholder: { signWith: pki.merchantCa.privateKey } },
    });
    expect((await failure(validate(bad, "cardholder"))).message).toMatch(/signature does not verify/);
  });

  test("a merchant certificate issued by the cardholder CA is refused (issuer role)", async () => {
    const keys = await cachedTestKeyPair("merchantSig", "signature");
    const wrong = await createTestParty(pki.cardholderCa, {
      name: "Shop",
      roles: ["mer"],
      use: "signature",
      brand: "Visa",
      keys,
    });
    const e = await failure(
      validateChain(p, wrong.certificate, pki.intermediatesOf("cardholder"), pki.root.certificate, now),
    );
    expect(e.message).toMatch(/cca may not certify a mer/);
  });

  test("an end entity acting as issuer is refused", async () => {
    const keys = await cachedTestKeyPair("cardholder", "signature");
    const child = await createTestParty(pki.merchantSig, {
      name: "Sub",
      roles: ["mer"],
      use: "signature",
      brand: "Visa",
      keys,
    });
    const e = await failure(
      validateChain(
        p,
        child.certificate,
        [pki.merchantSig.certificate, ...pki.intermediatesOf("merchantSig")],
        pki.root.certificate,
        now,
      ),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toMatch(/not a SET CA/);
  });

  test("a CA whose certificateType is not a CA role is refused", async () => {
    const bad = await createTestPki(p, { overrides: { merchantCa: { certificateType: ["mer"] } } });
    expect((await failure(validate(bad, "merchantSig"))).code).toBe("invalidCertificate");
  });

  test("a CA without keyCertSign is refused", async () => {
    const bad = await createTestPki(p, {
      overrides: { gatewayCa: { keyUsage: ["digitalSignature", "cRLSign"] } },
    });
    expect((await failure(validate(bad, "gatewaySig"))).message).toMatch(/keyCertSign/);
  });

  test("a path mixing brands is refused", async () => {
    const keys = await cachedTestKeyPair("merchantCa", "ca");
    const mcCa = await createTestParty(pki.brandCa, {
      name: "MC Merchant CA",
      roles: ["mca"],
      use: "ca",
      brand: "MasterCard",
      keys,
    });
    const leafKeys = await cachedTestKeyPair("merchantSig", "signature");
    const leaf = await createTestParty(mcCa, {
      name: "MC Shop",
      roles: ["mer"],
      use: "signature",
      brand: "MasterCard",
      keys: leafKeys,
    });
    const e = await failure(
      validateChain(
        p,
        leaf.certificate,
        [mcCa.certificate, pki.brandCa.certificate],
        pki.root.certificate,
        now,
      ),
    );
    expect(e.message).toMatch(/mixes brands/);
  });

  test("an unknown critical extension anywhere on the path is unrecognizedExtension", async () => {
    const oid = "1.3.6.1.4.1.32473.1.77";
    const bad = await createTestPki(p, {
      overrides: { brandCa: { extraExtensions: [{ oid, critical: true, value: Uint8Array.of(5, 0) }] } },
    });
    const e = await failure(validate(bad, "gatewaySig"));
    expect(e.code).toBe("unrecognizedExtension");
    expect(e.oid).toBe(oid);
  });

  test("a CA's pathLenConstraint is enforced", async () => {
    const bad = await createTestPki(p, {
      overrides: { brandCa: { basicConstraints: { ca: true, pathLength: 0 } } },
    });
    expect((await failure(validate(bad, "cardholder"))).message).toMatch(/pathLenConstraint 0 exceeded/);
    await expect(validate(bad, "cardholderCa")).resolves.toBeDefined();
  });

  test("a name constraint, which our checks do not evaluate, is refused on a CA, critical or not", async () => {
    // nameConstraints { excludedSubtrees [1] { GeneralSubtree { directoryName [4] { C=US, O=Visa } } } }
    const visa = new Uint8Array(new x509.Name("C=US, O=Visa").toArrayBuffer());
    const subtree = tlv(universal(16), true, tlv(context(4), true, visa));
    const value = tlv(universal(16), true, tlv(context(1), true, subtree));
    for (const critical of [false, true]) {
      const bad = await createTestPki(p, {
        overrides: { merchantCa: { extraExtensions: [{ oid: "2.5.29.30", critical, value }] } },
      });
      const e = await failure(validate(bad, "merchantSig"));
      expect(e.code).toBe(critical ? "unrecognizedExtension" : "invalidCertificate");
      expect(e.oid).toBe("2.5.29.30");
      expect(e.where).toContain("Merchant CA");
    }
  });

  test("a genuine path accepted once does not vouch for a forgery of the leaf", async () => {
    await expect(validate(pki, "merchantSig")).resolves.toBeDefined();
    // Same serials, so the forgery names the genuine merchant CA by issuer and serial.
    const forged = await createTestPki(p, {
      serialSeed: Number.parseInt(parseSetCertificate(pki.root.certificate).serialNumber, 16),
      overrides: { merchantSig: { signWith: pki.gatewayCa.privateKey } },
    });
    const e = await failure(
      validateChain(
        p,
        forged.merchantSig.certificate,
        pki.intermediatesOf("merchantSig"),
        pki.root.certificate,
        now,
      ),
    );
    expect(e.message).toMatch(/signature does not verify with the key of .*Merchant CA/);
  });

  test("accepts already parsed certificates", async () => {
    const leaf = parseSetCertificate(pki.cardholder.certificate);
    const chain = await validateChain(
      p,
      leaf,
      pki.intermediatesOf("cardholder").map(parseSetCertificate),
      parseSetCertificate(pki.root.certificate),
      now,
    );
    expect(chain.leaf).toBe(leaf);
  });
});
