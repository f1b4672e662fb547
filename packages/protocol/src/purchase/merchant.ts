/**
 * The merchant's checks of a purchase request (digest section 6, "Merchant"). The merchant holds
 * OIData, DD(PIData) and the cardholder certificate; it never sees PIHead or PANData.
 */
import { encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { namingSigner } from "../cert/errorThumb";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { DD } from "../crypto/digest";
import type { CryptoProvider } from "../crypto/provider";
import { verifySO } from "../crypto/signedMessage";
import {
  type CurrencyAmount,
  checkCriticalExtensions,
  type DetachedDigest,
  type TransIDs,
} from "../schema/common";
import { ContentType } from "../schema/oids";
import { type InstallRecurData, OIData, PI_TBS, type PReq } from "../schema/purchase";
import { checkCardholderCertificate } from "./cardholderCertificate";
import { computeHOD, sameDigest } from "./hod";
import { asCheck, PurchaseCheckError } from "./purchaseCheck";
import { checkTransIDs } from "./transIDs";

/** What the merchant itself knows about the order it is being asked to accept. */
export interface MerchantOrder {
  /** The TransIDs the merchant issued in PInitRes (or recorded for this order). */
  readonly transIDs: TransIDs;
  /** The Chall-M it sent in PInitRes, when the PInit pair ran. */
  readonly chall_M?: Uint8Array;
  /** The Chall-C of the PInitReq it answered, when the PInit pair ran: OIData must carry it again. */
  readonly chall_C?: Uint8Array;
  /** OD and PurchAmt as agreed with the cardholder outside SET. */
  readonly od: Uint8Array;
  readonly purchAmt: CurrencyAmount;
  readonly installRecurData?: InstallRecurData;
  /** BrandID and BIN from PInitReq, when it ran. */
  readonly brandID?: string;
  readonly bin?: string;
  /** Policy or brand forbid the unsigned form (cardCertRequired). */
  readonly cardCertRequired: boolean;
  /** Message extensions (OIDs) this merchant understands; a critical one outside the list is refused. */
  readonly understoodExtensions?: readonly string[];
}

export interface VerifiedPReq {
  readonly form: "dualSigned" | "unsigned";
  readonly oiData: OIData;
  readonly hOIData: DetachedDigest;
  /** HOD2 for CheckDigests: the merchant's own HOD computation. */
  readonly hod: DetachedDigest;
  /** The PI, untouched, for AuthReq's baggage. */
  readonly pi:
    | { type: "piDualSigned"; value: { piSignature: Uint8Array; exPIData: Uint8Array } }
    | { type: "piUnsigned"; value: Uint8Array };
  /** Absent for the unsigned form. */
  readonly cardholderCertificate?: SetCertificate;
}

export async function verifyPReqAsMerchant(
  p: CryptoProvider,
  pReq: PReq,
  order: MerchantOrder,
  trust: Trust,
): Promise<VerifiedPReq> {
  if (pReq.type === "pReqUnsigned" && order.cardCertRequired)
    throw new PurchaseCheckError("signatureRequired", "a cardholder certificate is required for this brand");
  const oiData =
    pReq.type === "pReqDualSigned" ? pReq.value.oiDualSigned.oiData : pReq.value.oiUnsigned.oiData;

  checkCriticalExtensions(oiData.oiExtensions, order.understoodExtensions ?? [], "OIData.oiExtensions");
  checkTransIDs(oiData.transIDs, order.transIDs, "OIData.transIDs");
  if (
    order.chall_M !== undefined &&
    (oiData.chall_M === undefined || !bytesEqual(oiData.chall_M, order.chall_M))
  )
    throw new PurchaseCheckError("challengeMismatch", "OIData.chall-M is not the challenge sent in PInitRes");
  if (order.chall_C !== undefined && !bytesEqual(oiData.chall_C, order.chall_C))
    throw new PurchaseCheckError("challengeMismatch", "OIData.chall-C is not the one of PInitReq");
  if (
    (order.brandID !== undefined && oiData.brandID !== order.brandID) ||
    (order.bin !== undefined && oiData.bin !== order.bin)
  )
    throw new PurchaseCheckError("brandMismatch", "OIData brand or BIN differ from PInitReq");

  const hod = await computeHOD(p, {
    od: order.od,
    purchAmt: order.purchAmt,
    odSalt: oiData.odSalt,
    installRecurData: order.installRecurData,
  });
  if (!sameDigest(hod, oiData.hod))
    throw new PurchaseCheckError(
      "hodMismatch",
      "OIData.hod does not digest this order description and amount",
    );

  const hOIData = await DD(p, encodeDer(OIData, oiData), ContentType.OIData);
  if (pReq.type === "pReqUnsigned")
    return {
      form: "unsigned",
      oiData,
      hOIData,
      hod,
      pi: { type: "piUnsigned", value: pReq.value.piUnsigned },
    };

  const { piDualSigned, oiDualSigned } = pReq.value;
  const piTbs = encodeDer(PI_TBS, { hPIData: oiDualSigned.hPIData, hOIData });
  const signed = await asCheck("piSignatureInvalid", () =>
    namingSigner(piDualSigned.piSignature, [], () =>
      verifySO(p, piDualSigned.piSignature, piTbs, { contentType: ContentType.PI_TBS }),
    ),
  );
  const cardholderCertificate = await checkCardholderCertificate(
    p,
    signed.signerCertificate,
    signed.certificates,
    trust,
  );
  return {
    form: "dualSigned",
    oiData,
    hOIData,
    hod,
    pi: { type: "piDualSigned", value: piDualSigned },
    cardholderCertificate,
  };
}
