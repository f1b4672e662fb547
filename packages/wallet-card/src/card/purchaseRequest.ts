/**
 * The card builds the whole purchase request (patent S36-S37): OIData, PIHead and PANData, the
 * dual signature with its non-extractable key, and EX(P, PI-OILink, PANData) to the gateway's
 * key-exchange certificate. The PAN leaves the card only inside that RSA-OAEP block.
 */
import {
  buildPReqDualSigned,
  buildPReqUnsigned,
  type CryptoProvider,
  computeHOD,
  HMAC,
  type SetCertificate,
  schema,
  thumbOf,
} from "@setlab/protocol";
import type { Card } from "./cardData";
import { binOf } from "./cardData";
import { type PurchaseInput, termsOf } from "./commandInput";

/** What PInitRes established for this transaction. */
export interface InitializedTransaction {
  readonly transIDs: schema.TransIDs;
  readonly chall_C: Uint8Array;
  readonly chall_M: Uint8Array;
  readonly merchant: SetCertificate;
  readonly merID: string;
  readonly gatewayKex: SetCertificate;
}

export interface CardPReq {
  /** RRPID of the PReq: the PRes must carry it back. */
  readonly rrpid: Uint8Array;
  /** The PReq CHOICE, ready for the MessageWrapper. */
  readonly pReq: schema.PReq;
}

const certThumb = async (p: CryptoProvider, cert: SetCertificate): Promise<schema.CertThumb> => ({
  digestAlgorithm: { algorithm: schema.Std.sha256 },
  thumbprint: await thumbOf(p, cert),
});

export async function buildCardPReq(
  p: CryptoProvider,
  card: Card,
  tx: InitializedTransaction,
  input: PurchaseInput,
  swIdent: string,
): Promise<CardPReq> {
  const { transIDs } = tx;
  const odSalt = p.random(20);
  // Installment or recurring terms are signed twice: in HODInput (the merchant checks them through
  // HOD) and in PIHead (the gateway enforces them with the AuthToken).
  const terms = termsOf(input);
  const hod = await computeHOD(p, {
    od: input.od,
    purchAmt: input.purchAmt,
    odSalt,
    ...(terms ? { installRecurData: terms } : {}),
  });
  const rrpid = p.random(20);
  const oiData: schema.OIData = {
    transIDs,
    rrpid,
    chall_C: tx.chall_C,
    hod,
    odSalt,
    chall_M: tx.chall_M,
    brandID: card.data.brand,
    bin: binOf(card.data.pan),
  };
  const piHead: schema.PIHead = {
    transIDs,
    inputs: { hod, purchAmt: input.purchAmt },
    merchantID: tx.merID,
    ...(terms ? { installRecurData: terms } : {}),
    transStain: await HMAC(p, card.data.cardSecret, transIDs.xid),
    swIdent,
    ...(input.profile === "hardened"
      ? {
          profileBinding: {
            gatewayThumb: await certThumb(p, tx.gatewayKex),
            merchantThumb: await certThumb(p, tx.merchant),
          },
        }
      : {}),
  };
  const exNonce = p.random(20);
  if (input.form === "unsigned") {
    const built = await buildPReqUnsigned(p, {
      gatewayKexCertificate: tx.gatewayKex.der,
      oiData,
      piHead,
      panToken: { pan: card.data.pan, cardExpiry: card.data.expiry, exNonce },
    });
    return { rrpid, pReq: { type: "pReqUnsigned", value: built.pReq } };
  }
  const built = await buildPReqDualSigned(p, {
    cardholder: { certificate: card.data.certificate, privateKey: card.privateKey, chain: card.data.chain },
    gatewayKexCertificate: tx.gatewayKex.der,
    oiData,
    piHead,
    panData: { pan: card.data.pan, cardExpiry: card.data.expiry, panSecret: card.data.panSecret, exNonce },
  });
  return { rrpid, pReq: { type: "pReqDualSigned", value: built.pReq } };
}
