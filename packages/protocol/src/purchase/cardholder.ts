/**
 * The cardholder's side of the purchase request (digest 2.3, 3.4): the dual signature over
 * {DD(PIData), DD(OIData)} and the PAN sealed inside the gateway's RSA-OAEP block.
 */
import { encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { DD } from "../crypto/digest";
import { EX, EXH } from "../crypto/extraEnvelope";
import type { CryptoProvider } from "../crypto/provider";
import { type Signer, SO } from "../crypto/signedMessage";
import { TransIDs } from "../schema/common";
import { ContentType } from "../schema/oids";
import {
  OIData,
  PANData,
  PANToken,
  PI_OILink,
  PI_TBS,
  PIData,
  PIDataUnsigned,
  type PIHead,
  PReq,
  type PReqDualSigned,
  type PReqUnsigned,
} from "../schema/purchase";
import { sameDigest } from "./hod";
import { PurchaseCheckError } from "./purchaseCheck";

export interface DualSignedPurchase {
  readonly cardholder: Signer;
  /** The gateway's key-exchange certificate (DER), as checked by the wallet after PInitRes. */
  readonly gatewayKexCertificate: Uint8Array;
  readonly oiData: OIData;
  readonly piHead: PIHead;
  readonly panData: PANData;
}

export interface BuiltPReq<T> {
  readonly pReq: T;
  /** DER of the PReq CHOICE, ready for the MessageWrapper. */
  readonly der: Uint8Array;
}

/** The cardholder must sign the order it agreed: OIData and PIHead carry the same HOD and TransIDs. */
function checkConsistent(oiData: OIData, piHead: PIHead): void {
  if (!sameDigest(oiData.hod, piHead.inputs.hod))
    throw new PurchaseCheckError("inconsistentInputs", "OIData.hod and PIHead.inputs.hod differ");
  if (!bytesEqual(encodeDer(TransIDs, oiData.transIDs), encodeDer(TransIDs, piHead.transIDs)))
    throw new PurchaseCheckError("inconsistentInputs", "OIData and PIHead carry different TransIDs");
}

/** PReqDualSigned = {PIDualSigned{SO(C, PI-TBS), EX(P, PI-OILink, PANData)}, OIDualSigned{OIData, DD(PIData)}}. */
export async function buildPReqDualSigned(
  p: CryptoProvider,
  input: DualSignedPurchase,
): Promise<BuiltPReq<PReqDualSigned>> {
  checkConsistent(input.oiData, input.piHead);
  const hOIData = await DD(p, encodeDer(OIData, input.oiData), ContentType.OIData);
  const piData = encodeDer(PIData, { piHead: input.piHead, panData: input.panData });
  const hPIData = await DD(p, piData, ContentType.PIData);

  const piSignature = await SO(
    p,
    input.cardholder,
    ContentType.PI_TBS,
    encodeDer(PI_TBS, { hPIData, hOIData }),
  );
  const exPIData = await EX(
    p,
    input.gatewayKexCertificate,
    { contentType: ContentType.PIDualSignedTBE, extraContentType: ContentType.PANData },
    encodeDer(PI_OILink, { piHead: input.piHead, hOIData }),
    encodeDer(PANData, input.panData),
  );
  const pReq: PReqDualSigned = {
    piDualSigned: { piSignature, exPIData },
    oiDualSigned: { oiData: input.oiData, hPIData },
  };
  return { pReq, der: encodeDer(PReq, { type: "pReqDualSigned", value: pReq }) };
}

export interface UnsignedPurchase {
  readonly gatewayKexCertificate: Uint8Array;
  readonly oiData: OIData;
  readonly piHead: PIHead;
  readonly panToken: PANToken;
}

/**
 * PReqUnsigned = {EXH(P, PI-OILink, PANToken), OIUnsigned{OIData, DD(PIDataUnsigned)}}: no
 * cardholder authentication, only the integrity the hash in the RSA block gives.
 */
export async function buildPReqUnsigned(
  p: CryptoProvider,
  input: UnsignedPurchase,
): Promise<BuiltPReq<PReqUnsigned>> {
  checkConsistent(input.oiData, input.piHead);
  const hOIData = await DD(p, encodeDer(OIData, input.oiData), ContentType.OIData);
  const hPIDataUnsigned = await DD(
    p,
    encodeDer(PIDataUnsigned, { piHead: input.piHead, panToken: input.panToken }),
    ContentType.PIDataUnsigned,
  );
  const piUnsigned = await EXH(
    p,
    input.gatewayKexCertificate,
    { contentType: ContentType.PIUnsignedTBE, extraContentType: ContentType.PANToken },
    encodeDer(PI_OILink, { piHead: input.piHead, hOIData }),
    encodeDer(PANToken, input.panToken),
  );
  const pReq: PReqUnsigned = { piUnsigned, oiUnsigned: { oiData: input.oiData, hPIDataUnsigned } };
  return { pReq, der: encodeDer(PReq, { type: "pReqUnsigned", value: pReq }) };
}
