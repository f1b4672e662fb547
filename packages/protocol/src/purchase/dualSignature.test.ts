import { decodeDer, encodeDer } from "../asn1/codec";
import { oaepCapacity } from "../crypto/envelopedData";
import { type CryptoProvider, nodeProvider, peculiarProvider } from "../crypto/provider";
import { DecodeError, SetError } from "../errors";
import { PANData, PReq, type PReqDualSigned } from "../schema/purchase";
import { createTestPki, type TestPki } from "../testing/pki";
import { PAN19, type PurchaseFixture, purchaseFixture } from "../testing/purchaseFixture";
import { buildPReqDualSigned, buildPReqUnsigned } from "./cardholder";
import { type AuthorizationContext, openPIDualSigned, openPIUnsigned } from "./gateway";
import { computeHOD } from "./hod";
import { verifyPReqAsMerchant } from "./merchant";
import { type PurchaseCheck, PurchaseCheckError } from "./purchaseCheck";

async function expectCheck(promise: Promise<unknown>, check: PurchaseCheck, code?: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PurchaseCheckError);
  expect((error as PurchaseCheckError).check).toBe(check);
  if (code) expect((error as PurchaseCheckError).code).toBe(code);
}

async function expectDecryptionFailure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SetError);
  expect((error as SetError).code).toBe("decodingFailure");
  expect((error as SetError).message).toContain("decryption failed");
}

const flip = (bytes: Uint8Array, at: number) => {
  const copy = new Uint8Array(bytes);
  copy[at] ^= 0x01;
  return copy;
};

describe.each([
  ["node", nodeProvider()],
  ["peculiar", peculiarProvider()],
] as [string, CryptoProvider][])("dual signature under the %s provider", (_name, p) => {
  let pki: TestPki;
  let f: PurchaseFixture;
  let pReq: PReqDualSigned;
  let ctx: AuthorizationContext;

  beforeAll(async () => {
    pki = await createTestPki(p);
    f = await purchaseFixture(p, { pki });
    pReq = (await buildPReqDualSigned(p, f.input)).pReq;
    const merchant = await verifyPReqAsMerchant(p, { type: "pReqDualSigned", value: pReq }, f.order, f.trust);
    ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
  });

  const asPReq = (value: PReqDualSigned) => ({ type: "pReqDualSigned" as const, value });

  it("the merchant verifies it without PIHead or PANData, and the gateway opens and verifies it", async () => {
    const built = await buildPReqDualSigned(p, f.input);
    const decoded = decodeDer(PReq, built.der);
    expect(decoded.type).toBe("pReqDualSigned");

    const merchant = await verifyPReqAsMerchant(p, decoded, f.order, f.trust);
    expect(merchant.form).toBe("dualSigned");
    expect(merchant.cardholderCertificate?.hasRole("card")).toBe(true);
    // What the merchant holds carries no PAN, in any encoding.
    const merchantView = encodeDer(PReq, decoded).toString();
    expect(Buffer.from(built.der).includes(Buffer.from(PAN19))).toBe(false);
    expect(merchantView).not.toContain(PAN19);

    const gateway = await openPIDualSigned(p, (decoded.value as PReqDualSigned).piDualSigned, ctx, f.trust);
    expect(gateway.panData).toEqual(f.input.panData);
    expect(gateway.piHead.merchantID).toBe(f.input.piHead.merchantID);
  });

  it("the largest PANData (19-digit PAN) fits beside the content key in RSA-2048 OAEP", () => {
    const panData = encodeDer(PANData, f.input.panData);
    expect(f.input.panData.pan).toHaveLength(19);
    // ExtraBlock = SEQUENCE { key [34], [1] EXPLICIT PANData } with at most 4 header bytes each.
    expect(34 + panData.length + 8).toBeLessThanOrEqual(oaepCapacity(2048));
  });

  describe("merchant checks", () => {
    it("tampered OIData breaks the dual signature", async () => {
      const oiData = { ...pReq.oiDualSigned.oiData, rrpid: flip(pReq.oiDualSigned.oiData.rrpid, 0) };
      await expectCheck(
        verifyPReqAsMerchant(
          p,
          asPReq({ ...pReq, oiDualSigned: { ...pReq.oiDualSigned, oiData } }),
          f.order,
          f.trust,
        ),
        "piSignatureInvalid",
        "signatureFailure",
      );
    });

    it("a PI swapped in from another purchase breaks the dual signature", async () => {
      const other = await buildPReqDualSigned(p, (await purchaseFixture(p, { pki, seed: 1 })).input);
      const swapped = {
        ...pReq,
        oiDualSigned: { ...pReq.oiDualSigned, hPIData: other.pReq.oiDualSigned.hPIData },
      };
      await expectCheck(verifyPReqAsMerchant(p, asPReq(swapped), f.order, f.trust), "piSignatureInvalid");
    });

    it("a different order description or amount gives a wrong HOD", async () => {
      const od = new TextEncoder().encode("2 x SET Lab mug");
      await expectCheck(verifyPReqAsMerchant(p, asPReq(pReq), { ...f.order, od }, f.trust), "hodMismatch");
      const purchAmt = { ...f.order.purchAmt, amount: f.order.purchAmt.amount + 1 };
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), { ...f.order, purchAmt }, f.trust),
        "hodMismatch",
      );
    });

    it("TransIDs must be the ones the merchant issued", async () => {
      const t = f.order.transIDs;
      await expectCheck(
        verifyPReqAsMerchant(
          p,
          asPReq(pReq),
          { ...f.order, transIDs: { ...t, xid: flip(t.xid, 3) } },
          f.trust,
        ),
        "xidMismatch",
        "unknownXID",
      );
      await expectCheck(
        verifyPReqAsMerchant(
          p,
          asPReq(pReq),
          { ...f.order, transIDs: { ...t, lid_M: Uint8Array.of(9) } },
          f.trust,
        ),
        "lidMismatch",
        "unknownLID",
      );
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), { ...f.order, transIDs: { ...t, language: "ja" } }, f.trust),
        "transIDsMismatch",
        "wrapperMsgMismatch",
      );
    });

    it("Chall-M must echo the merchant's challenge; BrandID and BIN must match PInitReq", async () => {
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), { ...f.order, chall_M: new Uint8Array(20) }, f.trust),
        "challengeMismatch",
        "challengeMismatch",
      );
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), { ...f.order, bin: "555555" }, f.trust),
        "brandMismatch",
      );
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), { ...f.order, brandID: "MasterCard" }, f.trust),
        "brandMismatch",
      );
    });

    it("a merchant certificate cannot sign as a cardholder", async () => {
      const input = {
        ...f.input,
        cardholder: {
          certificate: pki.merchantSig.certificate,
          privateKey: pki.merchantSig.privateKey,
          chain: pki.intermediatesOf("merchantSig"),
        },
      };
      const forged = (await buildPReqDualSigned(p, input)).pReq;
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(forged), f.order, f.trust),
        "cardholderCertificate",
        "invalidCertificate",
      );
    });

    it("a cardholder certificate without digitalSignature is refused", async () => {
      const bad = await createTestPki(p, {
        overrides: { cardholder: { keyUsage: ["keyEncipherment"] } },
      });
      const fx = await purchaseFixture(p, { pki: bad });
      const built = (await buildPReqDualSigned(p, fx.input)).pReq;
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(built), fx.order, fx.trust),
        "cardholderCertificate",
        "invalidCertificate",
      );
    });

    it("a chain to another root is refused", async () => {
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), f.order, { ...f.trust, pinnedRoot: pki.nextRoot.certificate }),
        "cardholderCertificate",
      );
    });

    it("an expired cardholder certificate is refused as expired", async () => {
      const later = new Date(Date.now() + 50 * 365 * 86400_000);
      await expectCheck(
        verifyPReqAsMerchant(p, asPReq(pReq), f.order, { ...f.trust, at: later }),
        "cardholderCertificate",
        "expiredCertificate",
      );
    });

    it("a critical OIData extension the merchant does not understand is refused", async () => {
      const ext = { extnID: "1.3.6.1.4.1.32473.1.98", critical: true, extnValue: Uint8Array.of(0x05, 0x00) };
      const input = { ...f.input, oiData: { ...f.input.oiData, oiExtensions: [ext] } };
      const built = (await buildPReqDualSigned(p, input)).pReq;
      await expect(verifyPReqAsMerchant(p, asPReq(built), f.order, f.trust)).rejects.toMatchObject({
        code: "unrecognizedExtension",
      });
      const understood = { ...f.order, understoodExtensions: [ext.extnID] };
      await expect(verifyPReqAsMerchant(p, asPReq(built), understood, f.trust)).resolves.toBeDefined();
    });

    it("the unsigned form is refused where a cardholder certificate is required", async () => {
      const unsigned = await buildPReqUnsigned(p, {
        gatewayKexCertificate: pki.gatewayKex.certificate,
        oiData: f.input.oiData,
        piHead: f.input.piHead,
        panToken: { pan: PAN19, cardExpiry: "202912", exNonce: new Uint8Array(20) },
      });
      await expectCheck(
        verifyPReqAsMerchant(p, { type: "pReqUnsigned", value: unsigned.pReq }, f.order, f.trust),
        "signatureRequired",
        "signatureRequired",
      );
    });

    it("truncated or trailing-garbage PReq DER is a decoding failure", async () => {
      const der = (await buildPReqDualSigned(p, f.input)).der;
      expect(() => decodeDer(PReq, der.subarray(0, der.length - 1))).toThrow(DecodeError);
      expect(() => decodeDer(PReq, Uint8Array.from([...der, 0]))).toThrow(DecodeError);
    });
  });

  describe("gateway checks", () => {
    it("the merchant's HOIData must equal the cardholder's", async () => {
      const otherHod = await computeHOD(p, {
        od: Uint8Array.of(1),
        purchAmt: f.order.purchAmt,
        odSalt: new Uint8Array(20),
      });
      await expectCheck(
        openPIDualSigned(
          p,
          pReq.piDualSigned,
          { ...ctx, checkDigests: { ...ctx.checkDigests, hOIData: otherHod } },
          f.trust,
        ),
        "hOIDataMismatch",
      );
      await expectCheck(
        openPIDualSigned(
          p,
          pReq.piDualSigned,
          { ...ctx, checkDigests: { ...ctx.checkDigests, hOD2: otherHod } },
          f.trust,
        ),
        "hodMismatch",
      );
    });

    it("XID, merchant identity and amount must agree with the AuthReq", async () => {
      await expectCheck(
        openPIDualSigned(
          p,
          pReq.piDualSigned,
          { ...ctx, transIDs: { ...ctx.transIDs, xid: new Uint8Array(20) } },
          f.trust,
        ),
        "xidMismatch",
      );
      await expectCheck(
        openPIDualSigned(p, pReq.piDualSigned, { ...ctx, merchantID: "SETLAB-MER-0002" }, f.trust),
        "merchantIDMismatch",
      );
      const more = { ...ctx.authReqAmt, amount: ctx.authReqAmt.amount + 1 };
      await expectCheck(
        openPIDualSigned(p, pReq.piDualSigned, { ...ctx, authReqAmt: more }, f.trust),
        "amountMismatch",
      );
      const usd = { ...ctx.authReqAmt, currency: 840 };
      await expectCheck(
        openPIDualSigned(p, pReq.piDualSigned, { ...ctx, authReqAmt: usd }, f.trust),
        "amountMismatch",
      );
      const less = { ...ctx.authReqAmt, amount: ctx.authReqAmt.amount - 100 };
      await expect(
        openPIDualSigned(p, pReq.piDualSigned, { ...ctx, authReqAmt: less }, f.trust),
      ).resolves.toBeDefined();
    });

    it("a signature from one purchase with the envelope of another does not verify (the generic failure)", async () => {
      const other = await buildPReqDualSigned(p, (await purchaseFixture(p, { pki, seed: 2 })).input);
      const spliced = { ...pReq.piDualSigned, piSignature: other.pReq.piDualSigned.piSignature };
      await expectDecryptionFailure(openPIDualSigned(p, spliced, ctx, f.trust));
    });

    it("the wrong key or a tampered envelope gives the one generic decryption failure", async () => {
      const wrongKey = { certificate: pki.gatewayKex.certificate, privateKey: pki.merchantKex.privateKey };
      await expectDecryptionFailure(
        openPIDualSigned(p, pReq.piDualSigned, { ...ctx, gatewayKex: wrongKey }, f.trust),
      );
      const ex = pReq.piDualSigned.exPIData;
      await expectDecryptionFailure(
        openPIDualSigned(p, { ...pReq.piDualSigned, exPIData: flip(ex, ex.length - 5) }, ctx, f.trust),
      );
    });

    it("a critical PIHead extension the gateway does not understand is refused", async () => {
      const ext = { extnID: "1.3.6.1.4.1.32473.1.97", critical: true, extnValue: Uint8Array.of(0x05, 0x00) };
      const built = await buildPReqDualSigned(p, {
        ...f.input,
        piHead: { ...f.input.piHead, piExtensions: [ext] },
      });
      await expect(openPIDualSigned(p, built.pReq.piDualSigned, ctx, f.trust)).rejects.toMatchObject({
        code: "unrecognizedExtension",
      });
      const understood = { ...ctx, understoodExtensions: [ext.extnID] };
      await expect(openPIDualSigned(p, built.pReq.piDualSigned, understood, f.trust)).resolves.toBeDefined();
    });

    it("hardened profile: PIHead must name the gateway's and merchant's certificates", async () => {
      const hardened = {
        gatewayThumb: new Uint8Array(32).fill(1),
        merchantThumb: new Uint8Array(32).fill(2),
      };
      await expectCheck(
        openPIDualSigned(p, pReq.piDualSigned, { ...ctx, hardened }, f.trust),
        "profileBindingMismatch",
        "thumbsMismatch",
      );
      const thumb = (t: Uint8Array) => ({
        digestAlgorithm: { algorithm: "2.16.840.1.101.3.4.2.1" },
        thumbprint: t,
      });
      const bound = {
        ...f.input,
        piHead: {
          ...f.input.piHead,
          profileBinding: {
            gatewayThumb: thumb(hardened.gatewayThumb),
            merchantThumb: thumb(hardened.merchantThumb),
          },
        },
      };
      const built = await buildPReqDualSigned(p, bound);
      await expect(
        openPIDualSigned(p, built.pReq.piDualSigned, { ...ctx, hardened }, f.trust),
      ).resolves.toBeDefined();
      const otherGateway = { ...hardened, gatewayThumb: new Uint8Array(32).fill(3) };
      await expectCheck(
        openPIDualSigned(p, built.pReq.piDualSigned, { ...ctx, hardened: otherGateway }, f.trust),
        "profileBindingMismatch",
      );
    });
  });

  describe("unsigned purchase (EXH)", () => {
    it("round-trips through merchant and gateway when policy allows it", async () => {
      const panToken = { pan: PAN19, cardExpiry: "202912", exNonce: new Uint8Array(20).fill(7) };
      const built = await buildPReqUnsigned(p, {
        gatewayKexCertificate: pki.gatewayKex.certificate,
        oiData: f.input.oiData,
        piHead: f.input.piHead,
        panToken,
      });
      const merchant = await verifyPReqAsMerchant(
        p,
        decodeDer(PReq, built.der),
        { ...f.order, cardCertRequired: false },
        f.trust,
      );
      expect(merchant.form).toBe("unsigned");
      const opened = await openPIUnsigned(p, built.pReq.piUnsigned, ctx);
      expect(opened.panToken).toEqual(panToken);
      const tampered = flip(built.pReq.piUnsigned, built.pReq.piUnsigned.length - 20);
      await expectDecryptionFailure(openPIUnsigned(p, tampered, ctx));
    });
  });

  it("the builder refuses OIData and PIHead that disagree", async () => {
    const piHead = { ...f.input.piHead, transIDs: { ...f.input.piHead.transIDs, xid: new Uint8Array(20) } };
    await expectCheck(buildPReqDualSigned(p, { ...f.input, piHead }), "inconsistentInputs");
  });
});
