/**
 * The cardholder's purchase data as a test assembles it: OIData, PIHead, PANData and PANToken over
 * one TransIDs, with HOD over the order. One routine for every test builder, fixture and attack
 * kit: each caller fixes what it cares about, and every value it leaves out is fresh randomness.
 */
import { HMAC } from "../crypto/digest";
import type { CryptoProvider } from "../crypto/provider";
import { computeHOD } from "../purchase/hod";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { HOD, OIData, PANData, PANToken, PIHead } from "../schema/purchase";

export interface PurchasePartsInput {
  readonly transIDs: TransIDs;
  readonly purchAmt: CurrencyAmount;
  /** The order description (OD) that HOD covers. */
  readonly od: Uint8Array;
  readonly brandID: string;
  /** The card's PAN; OIData carries its first six digits as the BIN. */
  readonly pan: string;
  readonly cardExpiry: string;
  /** The merchant id the cardholder puts in PIHead. */
  readonly merchantID: string;
  readonly panSecret?: Uint8Array;
  /** HMAC key of PIHead.TransStain: the card's CardSecret. */
  readonly cardSecret?: Uint8Array;
  readonly odSalt?: Uint8Array;
  readonly rrpid?: Uint8Array;
  readonly chall_C?: Uint8Array;
  readonly chall_M?: Uint8Array;
  /** EXNonce of PANData. */
  readonly exNonce?: Uint8Array;
  /** SWIdent of PIHead; default `SETLab/0.1`. */
  readonly swIdent?: string;
  /** The hardened profile's thumbprints under the dual signature. */
  readonly profileBinding?: PIHead["profileBinding"];
}

export interface PurchaseParts {
  readonly hod: HOD;
  readonly oiData: OIData;
  readonly piHead: PIHead;
  readonly panData: PANData;
  /** The unsigned form's account data (no PANSecret). */
  readonly panToken: PANToken;
}

export async function purchaseParts(p: CryptoProvider, input: PurchasePartsInput): Promise<PurchaseParts> {
  const fresh = (given: Uint8Array | undefined) => given ?? p.random(20);
  const { transIDs, purchAmt } = input;
  const odSalt = fresh(input.odSalt);
  const hod = await computeHOD(p, { od: input.od, purchAmt, odSalt });
  return {
    hod,
    oiData: {
      transIDs,
      rrpid: fresh(input.rrpid),
      chall_C: fresh(input.chall_C),
      hod,
      odSalt,
      chall_M: fresh(input.chall_M),
      brandID: input.brandID,
      bin: input.pan.slice(0, 6),
    },
    piHead: {
      transIDs,
      inputs: { hod, purchAmt },
      merchantID: input.merchantID,
      transStain: await HMAC(p, fresh(input.cardSecret), transIDs.xid),
      swIdent: input.swIdent ?? "SETLab/0.1",
      ...(input.profileBinding ? { profileBinding: input.profileBinding } : {}),
    },
    panData: {
      pan: input.pan,
      cardExpiry: input.cardExpiry,
      panSecret: fresh(input.panSecret),
      exNonce: fresh(input.exNonce),
    },
    panToken: { pan: input.pan, cardExpiry: input.cardExpiry, exNonce: p.random(20) },
  };
}
