/** A complete, valid purchase for tests and benchmarks; each negative test breaks one thing. */

import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import type { DualSignedPurchase } from "../purchase/cardholder";
import type { AuthorizationContext } from "../purchase/gateway";
import type { MerchantOrder } from "../purchase/merchant";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import { createTestPki, defaultMerchantData, type TestPki, type TestPkiOptions } from "./pki";
import { purchaseParts } from "./purchaseParts";

/** The largest PAN SET allows: 19 digits (Luhn-valid). */
export const PAN19 = "4111111111111111113";

export interface PurchaseFixture {
  pki: TestPki;
  input: DualSignedPurchase;
  order: MerchantOrder;
  trust: Trust;
  ctx: AuthorizationContext;
  at: Date;
}

const filled = (n: number, byte: number) => new Uint8Array(20).fill(byte + n);

export async function purchaseFixture(
  p: CryptoProvider,
  options: { pkiOptions?: TestPkiOptions; seed?: number; pki?: TestPki; at?: Date } = {},
): Promise<PurchaseFixture> {
  const seed = options.seed ?? 0;
  const pki = options.pki ?? (await createTestPki(p, options.pkiOptions));
  const at = options.at ?? new Date();
  const transIDs: TransIDs = {
    lid_C: Uint8Array.of(1, 2, 3, seed),
    lid_M: new TextEncoder().encode(`order-${seed}`),
    xid: filled(seed, 0x10),
    pReqDate: new Date(Date.UTC(2026, 10, 25, 12, 0, 0)),
    language: "en",
  };
  const purchAmt: CurrencyAmount = { currency: 392, amount: 12800 + seed, amtExp10: 0 };
  const od = new TextEncoder().encode(`1 x SET Lab mug, order ${seed}`);
  const chall_M = filled(seed, 0x50);
  const { hod, oiData, piHead, panData } = await purchaseParts(p, {
    transIDs,
    purchAmt,
    od,
    brandID: "Visa",
    pan: PAN19,
    cardExpiry: "202912",
    merchantID: defaultMerchantData.merID,
    odSalt: filled(seed, 0x30),
    rrpid: filled(seed, 0x60),
    chall_C: filled(seed, 0x70),
    chall_M,
    cardSecret: filled(seed, 0x80),
    panSecret: filled(seed, 0x90),
    exNonce: filled(seed, 0xa0),
  });
  return {
    pki,
    at,
    input: {
      cardholder: {
        certificate: pki.cardholder.certificate,
        privateKey: pki.cardholder.privateKey,
        chain: pki.intermediatesOf("cardholder"),
      },
      gatewayKexCertificate: pki.gatewayKex.certificate,
      oiData,
      piHead,
      panData,
    },
    order: { transIDs, chall_M, od, purchAmt, brandID: "Visa", bin: oiData.bin, cardCertRequired: true },
    trust: { pinnedRoot: pki.root.certificate, at },
    ctx: {
      gatewayKex: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
      checkDigests: { hOIData: hod, hOD2: hod }, // hOIData is filled in by the test once the merchant computed it
      merchantID: defaultMerchantData.merID,
      transIDs,
      authReqAmt: purchAmt,
    },
  };
}
