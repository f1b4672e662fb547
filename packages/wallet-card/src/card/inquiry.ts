/**
 * The card asks about a purchase it remembers (InqReq) and reads the merchant's answer (InqRes),
 * with the same care as PRes: the answer must be signed by the purchase's merchant certificate,
 * echo this inquiry's fresh RRPID and Chall-C2 (so neither the purchase's PRes nor an earlier
 * InqRes passes), and report a status that fits the purchase's amount. A purchase paid with a
 * dual signature is asked about signed, with the card's key; one paid unsigned with the inquiry
 * proof keyed with its Chall-C, which only this card and the merchant hold.
 */
import {
  buildInqReq,
  type CryptoProvider,
  fromHex,
  RemoteSetError,
  receiveInqRes,
  type ValidatedChainCache,
  wrapMessage,
} from "@setlab/protocol";
import type { Card } from "./cardData";
import { type RememberedPurchase, transIDsOf } from "./purchaseMemory";
import type { PurchaseOutcome } from "./transaction";

/** An InqReq the card handed out, waiting for its InqRes. */
export interface InquiryPending {
  readonly purchase: RememberedPurchase;
  readonly rrpid: Uint8Array;
  readonly chall_C2: Uint8Array;
}

export async function buildCardInqReq(
  p: CryptoProvider,
  card: Card,
  purchase: RememberedPurchase,
  date: Date,
  swIdent: string,
): Promise<{ message: Uint8Array; pending: InquiryPending }> {
  const transIDs = transIDsOf(purchase);
  const rrpid = p.random(20);
  const chall_C2 = p.random(20);
  const value = await buildInqReq(p, {
    transIDs,
    rrpid,
    chall_C2,
    ...(purchase.signed
      ? {
          signer: { certificate: card.data.certificate, privateKey: card.privateKey, chain: card.data.chain },
        }
      : { chall_C: fromHex(purchase.chall_C) }),
  });
  const message = wrapMessage(
    { type: "inquiryRequest", value },
    { rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date, swIdent },
  );
  return { message, pending: { purchase, rrpid, chall_C2 } };
}

/**
 * The outcome an InqRes reports, or the merchant's SET Error read as the outcome. A check that
 * fails throws its SetError (6F00) and leaves the inquiry waiting for the genuine answer.
 */
export async function readInqRes(
  p: CryptoProvider,
  card: Card,
  pending: InquiryPending,
  data: Uint8Array,
  at: Date,
  chainCache: ValidatedChainCache,
): Promise<PurchaseOutcome> {
  const { purchase } = pending;
  const transIDs = transIDsOf(purchase);
  const remembered = card.state.bciSequence?.[card.data.brand];
  try {
    const resData = await receiveInqRes(
      p,
      data,
      {
        rrpid: pending.rrpid,
        chall_C2: pending.chall_C2,
        xid: transIDs.xid,
        lid_C: transIDs.lid_C,
        merchantCertificate: fromHex(purchase.merchantCertificate),
        purchAmt: purchase.purchAmt,
        brandID: card.data.brand,
        ...(remembered === undefined ? {} : { bciSequenceNum: remembered }),
      },
      { trust: { pinnedRoot: card.data.root, at, chainCache } },
    );
    const payload = resData.pResPayloadSeq[0];
    const authAmt = payload.results?.authStatus?.authAmt;
    return { completionCode: payload.completionCode, ...(authAmt ? { authAmt } : {}) };
  } catch (e) {
    if (!(e instanceof RemoteSetError)) throw e;
    return {
      completionCode: "error",
      error: { code: e.code, message: "the merchant answered InqReq with a SET Error", signed: e.signed },
    };
  }
}
