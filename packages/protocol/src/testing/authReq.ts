/**
 * AuthReqs built the way a merchant builds them, for gateway tests and attacks: a real cardholder
 * PI (dual-signed, unsigned, or an AuthToken), then EncB by the merchant, wrapped in a header.
 * Hooks change one thing at a time: the cardholder's data before the PI is built, AuthReqData
 * after, the PI the merchant forwards, the sealed envelope, the header. The keys and certificates
 * come from the caller (a test PKI, a lab PKI directory, an attacker's own).
 */

import { encodeDer } from "../asn1/codec";
import { toHex, utf8 } from "../bytes";
import { DD } from "../crypto/digest";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { sealAuthReq } from "../messages/authReq";
import { type WrapperIds, wrapMessage } from "../messages/wrapper";
import { buildPReqDualSigned, buildPReqUnsigned } from "../purchase/cardholder";
import type { TransIDs } from "../schema/common";
import { ContentType } from "../schema/oids";
import type { AuthReq, AuthReqData } from "../schema/payment";
import { OIData, type PANData, type PANToken, PI, type PIHead } from "../schema/purchase";
import { wholeSeconds } from "../wholeSeconds";
import { defaultMerchantData } from "./pki";
import { purchaseParts } from "./purchaseParts";

/** The card whose account the PI carries. */
export interface AuthReqCard {
  readonly brand: string;
  readonly pan: string;
  readonly expiry: string;
  readonly panSecret: Uint8Array;
}

export interface AuthReqKeys {
  /** Signs the dual-signed PI (the cardholder certificate and key). */
  readonly cardholder?: Signer;
  /** Signs the AuthReq (the merchant signature certificate and key). */
  readonly merchant: Signer;
  /** The gateway key-exchange certificate the PI is sealed to. */
  readonly piSealTo: Uint8Array;
  /** The certificate the AuthReq is sealed to; default `piSealTo`. */
  readonly sealTo?: Uint8Array;
}

/** What the hooks may change; `authReqData` is set once the PI is built. */
export interface AuthReqParts {
  transIDs: TransIDs;
  oiData: OIData;
  piHead: PIHead;
  panData: PANData;
  panToken: PANToken;
  /** The order description HOD covers. */
  od: Uint8Array;
  authRRPID: Uint8Array;
  authReqData: AuthReqData;
}

export interface AuthReqOptions {
  /** PurchAmt.amount in JPY; default 12800. */
  readonly amount?: number;
  /** AuthReqAmt.amount, when not the purchase amount. */
  readonly authReqAmount?: number;
  readonly xid?: Uint8Array;
  readonly authRRPID?: Uint8Array;
  /** LID-M; default `order-` and three random bytes in hex. */
  readonly lidM?: string;
  readonly form?: "dualSigned" | "unsigned" | "authToken";
  /** The merID the AuthReq claims in AuthRRTags; default the lab merchant's. */
  readonly merID?: string;
  /** The merID the cardholder puts in PIHead; default `merID`. */
  readonly piMerchantID?: string;
  readonly cardholder?: (parts: AuthReqParts) => void | Promise<void>;
  readonly merchant?: (parts: AuthReqParts) => void | Promise<void>;
  /** Replace the PI DER the merchant forwards (sealed into the AuthReq's linkage). */
  readonly pi?: (piDer: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** Change the sealed AuthReq envelope (a ContentInfo of EnvelopedData). */
  readonly envelope?: (envelope: Uint8Array) => Uint8Array;
  /** Header ids instead of the protected ones. */
  readonly header?: (ids: WrapperIds) => WrapperIds;
  /** Header date; default now. */
  readonly date?: Date;
}

export interface BuiltAuthReq {
  /** The MessageWrapper DER to POST to the gateway. */
  readonly bytes: Uint8Array;
  readonly parts: AuthReqParts;
  readonly authReq: AuthReq;
  readonly piDer: Uint8Array;
}

export async function buildAuthReq(
  p: CryptoProvider,
  card: AuthReqCard,
  keys: AuthReqKeys,
  options: AuthReqOptions = {},
): Promise<BuiltAuthReq> {
  const merID = options.merID ?? defaultMerchantData.merID;
  const transIDs: TransIDs = {
    lid_C: p.random(8),
    lid_M: utf8(options.lidM ?? `order-${toHex(p.random(3))}`),
    xid: options.xid ?? p.random(20),
    pReqDate: wholeSeconds(new Date()),
    language: "en",
  };
  const purchAmt = { currency: 392, amount: options.amount ?? 12800, amtExp10: 0 };
  const od = utf8("1 x SET Lab mug");
  const purchase = await purchaseParts(p, {
    transIDs,
    purchAmt,
    od,
    brandID: card.brand,
    pan: card.pan,
    cardExpiry: card.expiry,
    panSecret: card.panSecret,
    merchantID: options.piMerchantID ?? merID,
  });
  const parts: AuthReqParts = {
    ...purchase,
    transIDs,
    od,
    authRRPID: options.authRRPID ?? p.random(20),
    authReqData: undefined as unknown as AuthReqData,
  };
  await options.cardholder?.(parts);
  const form = options.form ?? "dualSigned";
  let piDer = await piOf(p, form, keys, parts);
  const hOIData = await DD(p, encodeDer(OIData, parts.oiData), ContentType.OIData);
  parts.authReqData = {
    authReqItem: {
      authTags: {
        authRRTags: {
          rrpid: parts.authRRPID,
          merTermIDs: { merchantID: merID },
          currentDate: transIDs.pReqDate,
        },
        transIDs,
      },
      // An AuthToken carries no OIData to check against.
      ...(form === "authToken" ? {} : { checkDigests: { hOIData, hOD2: parts.oiData.hod } }),
      authReqPayload: {
        subsequentAuthInd: false,
        authReqAmt: { ...purchAmt, amount: options.authReqAmount ?? purchAmt.amount },
        requestCardTypeInd: false,
      },
    },
    captureNow: false,
  };
  await options.merchant?.(parts);
  if (options.pi) piDer = await options.pi(piDer);
  const sealed = await sealAuthReq(p, keys.merchant, keys.sealTo ?? keys.piSealTo, parts.authReqData, piDer);
  const authReq = options.envelope
    ? { ...sealed, authReqEnvelope: options.envelope(new Uint8Array(sealed.authReqEnvelope)) }
    : sealed;
  const ids = authReqIds(parts.authReqData);
  const bytes = wrapMessage({ type: "authorizationRequest", value: authReq }, options.header?.(ids) ?? ids, {
    date: options.date ?? new Date(),
  });
  return { bytes, parts, authReq, piDer };
}

async function piOf(
  p: CryptoProvider,
  form: "dualSigned" | "unsigned" | "authToken",
  keys: AuthReqKeys,
  parts: AuthReqParts,
): Promise<Uint8Array> {
  const common = { gatewayKexCertificate: keys.piSealTo, oiData: parts.oiData, piHead: parts.piHead };
  if (form === "dualSigned") {
    if (!keys.cardholder) throw new Error("a dual-signed PI needs the cardholder's signer");
    const built = await buildPReqDualSigned(p, {
      ...common,
      cardholder: keys.cardholder,
      panData: parts.panData,
    });
    return encodeDer(PI, { type: "piDualSigned", value: built.pReq.piDualSigned });
  }
  const built = await buildPReqUnsigned(p, { ...common, panToken: parts.panToken });
  return form === "unsigned"
    ? encodeDer(PI, { type: "piUnsigned", value: built.pReq.piUnsigned })
    : encodeDer(PI, { type: "authToken", value: { type: "enc", value: built.pReq.piUnsigned } });
}

/** The header ids of an AuthReq: its RRPID and the TransIDs of its AuthTags. */
export function authReqIds(data: AuthReqData): WrapperIds {
  const tags = data.authReqItem.authTags;
  return {
    rrpid: tags.authRRTags.rrpid,
    lid_C: tags.transIDs.lid_C,
    ...(tags.transIDs.lid_M ? { lid_M: tags.transIDs.lid_M } : {}),
    xid: tags.transIDs.xid,
  };
}

/** The same AuthReqData and PI in a fresh envelope (a merchant sending its request again). */
export async function resealAuthReq(
  p: CryptoProvider,
  merchant: Signer,
  sealTo: Uint8Array,
  built: BuiltAuthReq,
): Promise<Uint8Array> {
  const authReq = await sealAuthReq(p, merchant, sealTo, built.parts.authReqData, built.piDer);
  const tags = built.parts.authReqData.authReqItem.authTags;
  return wrapMessage(
    { type: "authorizationRequest", value: authReq },
    { rrpid: tags.authRRTags.rrpid, xid: tags.transIDs.xid },
    { date: new Date() },
  );
}
