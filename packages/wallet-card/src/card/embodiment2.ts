/**
 * The card's side of the patent's second embodiment: it checks the shop's certificate before it
 * gives anything (E2_HELLO), answers with its own and a fresh RSA-OAEP key made for this
 * transaction, opens the session key and the order (E2_SESSION_KEY) and hands the order to the PC
 * marked non-forward, for the buyer to confirm there (claim 2); only after that confirmation
 * (E2_CONFIRM) does it give its card information, under the session key.
 */
import {
  buildE2OrderForBuyer,
  type CryptoProvider,
  receiveE2MerchantHello,
  receiveE2SessionKey,
  SetError,
  type schema,
  sealE2CardInfo,
  sealE2CardInfoForCardCompany,
  signE2CardHello,
} from "@setlab/protocol";
import type { Card } from "./cardData";
import type { E1Pending } from "./embodiment1";

/** What the card remembers between E2_HELLO and E2_CONFIRM. */
export interface E2Pending {
  readonly lid_M: Uint8Array;
  readonly xid: Uint8Array;
  readonly chall_M: Uint8Array;
  readonly chall_C: Uint8Array;
  readonly purchAmt: schema.CurrencyAmount;
  readonly merchantCertificate: Uint8Array;
  readonly merchantName: string;
  /** The transaction's own key: its private half never leaves the card and dies with it. */
  readonly cardKey: CryptoKey;
  /** Set by E2_SESSION_KEY. */
  readonly sessionKey?: Uint8Array;
  /** Set by E2_SESSION_KEY when the shop asked the card-company option: the checked gateway certificate. */
  readonly cardCompanyCertificate?: Uint8Array;
}

const utf8 = new TextDecoder();

/** E2_HELLO: check the shop, make the transaction's key, answer with the card's hello. */
export async function answerE2Hello(
  p: CryptoProvider,
  card: Card,
  request: Uint8Array,
  now: Date,
): Promise<{ readonly cardHello: Uint8Array; readonly pending: E2Pending }> {
  const { data, merchant } = await receiveE2MerchantHello(
    p,
    request,
    { brand: card.data.brand },
    { trust: { pinnedRoot: card.data.root, at: now }, now },
  );
  const keys = (await p.crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  )) as CryptoKeyPair;
  const cardKey = new Uint8Array(await p.crypto.subtle.exportKey("spki", keys.publicKey));
  const chall_C = p.random(20);
  const cardHello = await signE2CardHello(
    p,
    { certificate: card.data.certificate, privateKey: card.privateKey, chain: card.data.chain },
    { xid: data.xid, chall_M: data.chall_M, chall_C, cardKey },
    now,
  );
  const names = merchant.merchantData?.merNameSeq ?? [];
  return {
    cardHello,
    pending: {
      lid_M: data.lid_M,
      xid: data.xid,
      chall_M: data.chall_M,
      chall_C,
      purchAmt: data.purchAmt,
      merchantCertificate: merchant.der,
      merchantName: names[0]?.name ?? merchant.subject,
      cardKey: keys.privateKey,
    },
  };
}

/**
 * E2_SESSION_KEY: open the session key and the order with the transaction's key; the order must be
 * for the amount of the hello. Answers the order for the buyer, marked non-forward.
 */
export async function openE2SessionKey(
  p: CryptoProvider,
  card: Card,
  pending: E2Pending,
  request: Uint8Array,
  now: Date,
): Promise<{ readonly orderForBuyer: Uint8Array; readonly pending: E2Pending }> {
  const { sessionKey, order, cardCompanyCertificate } = await receiveE2SessionKey(
    p,
    request,
    {
      xid: pending.xid,
      chall_C: pending.chall_C,
      merchantCertificate: pending.merchantCertificate,
      brand: card.data.brand,
    },
    { trust: { pinnedRoot: card.data.root, at: now }, cardKey: pending.cardKey },
  );
  const a = order.purchAmt;
  const b = pending.purchAmt;
  if (a.currency !== b.currency || a.amount !== b.amount || a.amtExp10 !== b.amtExp10)
    throw new SetError(
      "unspecifiedFailure",
      "the order is for another amount than the hello",
      "E2OrderInfo.purchAmt",
    );
  return {
    orderForBuyer: buildE2OrderForBuyer({ merchantName: pending.merchantName, order }, now),
    pending: { ...pending, sessionKey, ...(cardCompanyCertificate ? { cardCompanyCertificate } : {}) },
  };
}

/**
 * E2_CONFIRM: the buyer confirmed on the PC. The card information, signed, under the session key
 * or sealed to the card company's certificate, as the shop's E2SessionKey asked; what the
 * merchant's result must echo is handed on to E1_RESULT.
 */
export async function confirmE2(
  p: CryptoProvider,
  card: Card,
  pending: E2Pending,
  now: Date,
): Promise<{ readonly cardInfo: Uint8Array; readonly result: E1Pending }> {
  if (!pending.sessionKey) throw new SetError("unspecifiedFailure", "no session key yet", "E2_CONFIRM");
  const signer = { certificate: card.data.certificate, privateKey: card.privateKey, chain: card.data.chain };
  // Claims 7-8: to the card company's key when the shop asked so (the shop then cannot read it), else under K.
  const seal = (info: Parameters<typeof sealE2CardInfo>[3], date: Date) =>
    pending.cardCompanyCertificate
      ? sealE2CardInfoForCardCompany(p, signer, pending.cardCompanyCertificate, info, date)
      : sealE2CardInfo(p, signer, pending.sessionKey as Uint8Array, info, date);
  const cardInfo = await seal(
    {
      lid_M: pending.lid_M,
      xid: pending.xid,
      chall_M: pending.chall_M,
      chall_C: pending.chall_C,
      purchAmt: pending.purchAmt,
      brandID: card.data.brand,
      pan: card.data.pan,
      cardExpiry: card.data.expiry,
      panSecret: card.data.panSecret,
    },
    now,
  );
  return {
    cardInfo,
    result: {
      xid: pending.xid,
      chall_C: pending.chall_C,
      purchAmt: pending.purchAmt,
      lidM: utf8.decode(pending.lid_M),
    },
  };
}
