/**
 * A wallet under the adversary's control, outside the card: it builds a PReq in-process with the
 * protocol's purchase builders and a cardholder's key from the lab PKI, for the attacks a
 * dishonest cardholder (or a thief holding a card's key) makes and the card itself would refuse
 * to make (an old Chall-M, a re-used RRPID, another amount under a known XID, a PI bound to another
 * gateway).
 */
import {
  buildPReqDualSigned,
  type CryptoProvider,
  fromHex,
  parseSetCertificate,
  schema,
  thumbOf,
  wrapMessage,
} from "@setlab/protocol";
import { purchaseParts } from "@setlab/protocol/testing";
import type { LabPki } from "@setlab/runtime";
import type { PurchAmt } from "./labHttp";
import { merIDOf, readPInitReq, readPInitRes } from "./messages";
import { adversaryProvider, cardData, signerOf } from "./stolenKeys";

export interface WalletPurchase {
  /** The card id in cards.json (`visa-approve`); its manifest id is `<brand>/cards/<id>`. */
  readonly cardId: string;
  readonly transIDs: schema.TransIDs;
  readonly chall_C: Uint8Array;
  readonly chall_M: Uint8Array;
  readonly od: Uint8Array;
  readonly purchAmt: PurchAmt;
  /** The gateway key-exchange certificate the PI is sealed to. */
  readonly gatewayKexCertificate: Uint8Array;
  /** PIHead.MerchantID. */
  readonly merID: string;
  readonly rrpid?: Uint8Array;
  /** Hardened profile: the thumbprints PIHead names. */
  readonly profileBinding?: { gatewayCertificate: Uint8Array; merchantCertificate: Uint8Array };
}

export interface WalletPReq {
  /** MessageWrapper(PReq) DER. */
  readonly der: Uint8Array;
  readonly rrpid: Uint8Array;
  readonly oiData: schema.OIData;
  readonly piHead: schema.PIHead;
}

const thumb = async (p: CryptoProvider, der: Uint8Array): Promise<schema.CertThumb> => ({
  digestAlgorithm: { algorithm: schema.Std.sha256 },
  thumbprint: await thumbOf(p, parseSetCertificate(der)),
});

export async function walletPReq(pki: LabPki, w: WalletPurchase, p = adversaryProvider): Promise<WalletPReq> {
  const card = cardData(pki, w.cardId);
  const cardholder = await signerOf(pki, `${card.brand.toLowerCase()}/cards/${w.cardId}`, p);
  const { oiData, piHead, panData } = await purchaseParts(p, {
    transIDs: w.transIDs,
    purchAmt: w.purchAmt,
    od: w.od,
    brandID: card.brand,
    pan: card.pan,
    cardExpiry: card.expiry,
    panSecret: fromHex(card.panSecret),
    merchantID: w.merID,
    rrpid: w.rrpid,
    chall_C: w.chall_C,
    chall_M: w.chall_M,
    profileBinding: w.profileBinding && {
      gatewayThumb: await thumb(p, w.profileBinding.gatewayCertificate),
      merchantThumb: await thumb(p, w.profileBinding.merchantCertificate),
    },
  });
  const rrpid = oiData.rrpid;
  const built = await buildPReqDualSigned(p, {
    cardholder,
    gatewayKexCertificate: w.gatewayKexCertificate,
    oiData,
    piHead,
    panData,
  });
  const der = wrapMessage(
    { type: "purchaseRequest", value: { type: "pReqDualSigned", value: built.pReq } },
    { rrpid, lid_C: w.transIDs.lid_C, lid_M: w.transIDs.lid_M, xid: w.transIDs.xid },
    { date: p.now() },
  );
  return { der, rrpid, oiData, piHead };
}

/** What the PC saw of a transaction that a wallet needs to build its PReq (ids, challenges, order). */
export async function walletInputsOf(
  pki: LabPki,
  seen: {
    cardId: string;
    pInitReq: Uint8Array;
    pInitRes: Uint8Array;
    initiation: { od: string; purchAmt: PurchAmt };
  },
): Promise<WalletPurchase> {
  const req = readPInitReq(seen.pInitReq);
  const res = await readPInitRes(seen.pInitRes);
  const brand = cardData(pki, seen.cardId).brand.toLowerCase();
  return {
    cardId: seen.cardId,
    transIDs: res.transIDs,
    chall_C: req.chall_C,
    chall_M: res.chall_M,
    od: new Uint8Array(Buffer.from(seen.initiation.od, "base64")),
    purchAmt: seen.initiation.purchAmt,
    gatewayKexCertificate: pki.certificate(`${brand}/gateway/key-exchange`),
    merID: merIDOf(pki.certificate(`${brand}/merchant/signature`)),
  };
}
