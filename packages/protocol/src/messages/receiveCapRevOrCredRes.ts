/**
 * The merchant receives CapRevRes, CredRes or CredRevRes (digest 3.7): one receive for the three;
 * `receiveCapRevRes`, `receiveCredRes` and `receiveCredRevRes` name the kind.
 */
import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import { toMinorUnits } from "../money/amount";
import { checkTransIDs } from "../purchase/transIDs";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { CapRevOrCredResData } from "../schema/payment";
import {
  type CapRevOrCredKind,
  type CapRevOrCredRes,
  capRevOrCredKinds,
  openCapRevOrCredRes,
} from "./capRevOrCred";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkWrapperIds, type ProtectedIds, protectedIdsOf } from "./wrapperIds";

/** One item as the merchant asked for it; `amount` the amount it expects to move. */
export interface CapRevOrCredAsked {
  readonly transIDs: TransIDs;
  readonly authRRPID: Uint8Array;
  /** CapRevOrCredReqAmt, or for a capture reversal without one, the captured amount. */
  readonly amount: CurrencyAmount;
}

export interface CapRevOrCredResExpectations {
  /** The request's CapRevOrCredRRTags RRPID. */
  readonly rrpid: Uint8Array;
  readonly items: readonly CapRevOrCredAsked[];
  readonly brand?: string;
  /** The gateway key-exchange certificate (DER) the request was sealed to: its gateway must sign. */
  readonly gateway: Uint8Array;
}

export interface CapRevOrCredResReceiver {
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

/**
 * `done`: success for exactly the amount asked; `refused`: any other code (nothing moved);
 * `amountMismatch`: a success for another amount or currency, which the merchant must not book.
 */
export type CapRevOrCredVerdict = "done" | "refused" | "amountMismatch";

type ResPayload = CapRevOrCredResData["capRevOrCredResItemSeq"][number]["capRevOrCredResPayload"];

export interface ReceivedCapRevOrCredItem {
  readonly asked: CapRevOrCredAsked;
  readonly payload: ResPayload;
  readonly verdict: CapRevOrCredVerdict;
}

export interface ReceivedCapRevOrCredRes {
  readonly kind: CapRevOrCredKind;
  readonly data: CapRevOrCredResData;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
  /** In the order of `expected.items`. */
  readonly items: readonly ReceivedCapRevOrCredItem[];
}

function verdictOf(payload: ResPayload, asked: CurrencyAmount): CapRevOrCredVerdict {
  if (payload.capRevOrCredCode !== "success") return "refused";
  const got = toMinorUnits(payload.capRevOrCredActualAmt);
  const want = toMinorUnits(asked);
  const same = got.ok && want.ok && got.currency.code === want.currency.code && got.minor === want.minor;
  return same ? "done" : "amountMismatch";
}

/**
 * Every check of the answer: the message type (an Error is the gateway's answer: RemoteSetError;
 * another type messageNotSupported); the envelope and signature (one decryption failure), the
 * gateway's pgwy signature certificate of the brand and its chain, carried certificates; the
 * signer the gateway the request was sealed to (invalidCertificate, naming it); header ids
 * against the body (wrapperMsgMismatch); the RRPID ours (unknownRRPID); one item per item asked,
 * in its order, with its AuthRRPID (unknownRRPID) and TransIDs; then each item's code and
 * CapRevOrCredActualAmt against the amount asked (the verdict).
 */
export async function receiveCapRevOrCredRes(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  message: Incoming,
  expected: CapRevOrCredResExpectations,
  receiver: CapRevOrCredResReceiver,
): Promise<ReceivedCapRevOrCredRes> {
  const k = capRevOrCredKinds[kind];
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const brand = expected.brand !== undefined ? { brand: expected.brand } : {};
  const body = (await bodyOf(p, wrapper, k.responseType, {
    trust: receiver.trust,
    roles: ["pgwy"],
    ...brand,
  })) as CapRevOrCredRes;
  const { data, gateway } = await openCapRevOrCredRes(
    p,
    kind,
    receiver.decrypter,
    body,
    receiver.trust,
    brand,
  );
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        `the ${k.response} is signed by another gateway than the one the ${k.request} was sealed to`,
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  const answers = data.capRevOrCredResItemSeq;
  const rrpid = data.capRevOrCredRRTags.rrpid;
  const ids: ProtectedIds = answers.length === 1 ? protectedIdsOf(answers[0].transIDs, rrpid) : { rrpid };
  checkWrapperIds(wrapper.messageHeader, ids);
  if (!bytesEqual(rrpid, expected.rrpid))
    throw new SetError(
      "unknownRRPID",
      `the RRPID is not our ${k.request}'s`,
      "CapRevOrCredResData.capRevOrCredRRTags",
    );
  if (answers.length !== expected.items.length)
    throw new SetError(
      "wrapperMsgMismatch",
      `the ${k.response} answers ${answers.length} items, the ${k.request} asked ${expected.items.length}`,
      "CapRevOrCredResData.capRevOrCredResItemSeq",
    );
  const items = answers.map((answer, i) => {
    const asked = expected.items[i];
    if (!bytesEqual(answer.authRRPID, asked.authRRPID))
      throw new SetError(
        "unknownRRPID",
        "an item answers another authorization",
        "CapRevOrCredResItem.authRRPID",
      );
    checkTransIDs(answer.transIDs, asked.transIDs, "CapRevOrCredResItem.transIDs");
    const payload = answer.capRevOrCredResPayload;
    return { asked, payload, verdict: verdictOf(payload, asked.amount) };
  });
  return { kind, data, gateway, header: wrapper.messageHeader, items };
}
