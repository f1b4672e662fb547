/**
 * A many-item answer (CapRes, CapRevRes/CredRes/CredRevRes) received against the request: its ids
 * against the header, its RRPID ours, and one item per item asked, in its order, each answering
 * that item's authorization and transaction, then judged.
 */
import { bytesEqual } from "../asn1/tlv";
import type { SetCertificate } from "../cert/setCertificate";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { sameMinorUnits } from "../money/amount";
import { checkTransIDs } from "../purchase/transIDs";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageType } from "../schema/message";
import {
  checkAnswerIds,
  type GatewayAnswer,
  type GatewayAnswerExpectations,
  type GatewayAnswerKind,
  type GatewayAnswerReceiver,
  openGatewayAnswer,
} from "./gatewayAnswer";
import type { Incoming } from "./incoming";
import { type ProtectedIds, protectedIdsOf } from "./wrapperIds";

/** What names an item, asked and answered: the authorization and the transaction. */
export interface ItemIds {
  readonly transIDs: TransIDs;
  readonly authRRPID: Uint8Array;
}

/** One item's answer as the merchant reads it: the item asked, the payload, what it means. */
export interface ReceivedItem<Asked extends ItemIds, Payload, Verdict extends string> {
  readonly asked: Asked;
  readonly payload: Payload;
  readonly verdict: Verdict;
}

/** What the merchant asked for in a many-item request: the items, in order, of the gateway's. */
export interface ItemsExpectations<Asked extends ItemIds> extends GatewayAnswerExpectations {
  readonly items: readonly Asked[];
}

/** A many-item answer that passed every check. */
export interface ItemsAnswer<Data, Item> extends GatewayAnswer<Data> {
  /** In the order of `expected.items`. */
  readonly items: readonly Item[];
}

/**
 * What one item's answer means: `refused` for any code but success (nothing moved); `done` (the
 * answer's own word) for a success for exactly the amount asked; `amountMismatch` for a success
 * for another amount or currency, which the merchant must not book.
 */
export type ItemVerdict<Done extends string> = Done | "refused" | "amountMismatch";

export const itemVerdict = <Done extends string>(
  success: boolean,
  got: CurrencyAmount,
  asked: CurrencyAmount,
  done: Done,
): ItemVerdict<Done> => {
  if (!success) return "refused";
  return sameMinorUnits(got, asked) ? done : "amountMismatch";
};

/** How one kind of many-item answer reads, in its own names. */
export interface ItemsAnswerReading<Data, Answer extends ItemIds, Asked extends ItemIds, Item> {
  /** SET's names of the data, of its RRTags and item-sequence fields, and of the item: where errors point. */
  readonly names: {
    readonly data: string;
    readonly rrTags: string;
    readonly itemSeq: string;
    readonly item: string;
  };
  readonly rrpid: (data: Data) => Uint8Array;
  readonly answers: (data: Data) => readonly Answer[];
  /** What one item's answer means against the item asked. */
  readonly judge: (answer: Answer, asked: Asked) => Item;
}

/**
 * `openGatewayAnswer` (the message type, the envelope, the signer the gateway the request was
 * sealed to); header ids against the body (wrapperMsgMismatch; one item: its TransIDs too); the
 * RRPID `expectedRRPID` (unknownRRPID); as many items as asked (wrapperMsgMismatch); each item's
 * AuthRRPID (unknownRRPID) and TransIDs (unknownXID, unknownLID, wrapperMsgMismatch) those of the
 * item asked; then each item judged.
 */
export async function receiveItemsAnswer<
  T extends MessageType,
  Data,
  Answer extends ItemIds,
  Asked extends ItemIds,
  Item,
>(
  p: CryptoProvider,
  message: Incoming,
  kind: GatewayAnswerKind<T, { readonly data: Data; readonly gateway: SetCertificate }>,
  expected: ItemsExpectations<Asked>,
  expectedRRPID: Uint8Array,
  receiver: GatewayAnswerReceiver,
  reading: ItemsAnswerReading<Data, Answer, Asked, Item>,
): Promise<ItemsAnswer<Data, Item>> {
  const { header, opened } = await openGatewayAnswer(p, message, kind, expected, receiver);
  const { data, gateway } = opened;
  const { names } = reading;
  const rrpid = reading.rrpid(data);
  const answers = reading.answers(data);
  const ids: ProtectedIds = answers.length === 1 ? protectedIdsOf(answers[0].transIDs, rrpid) : { rrpid };
  const notOurs = `the RRPID is not our ${kind.request}'s`;
  checkAnswerIds(header, ids, rrpid, expectedRRPID, notOurs, `${names.data}.${names.rrTags}`);
  if (answers.length !== expected.items.length)
    throw new SetError(
      "wrapperMsgMismatch",
      `the ${kind.answer} answers ${answers.length} items, the ${kind.request} asked ${expected.items.length}`,
      `${names.data}.${names.itemSeq}`,
    );
  const items = answers.map((answer, i) => {
    const asked = expected.items[i];
    if (!bytesEqual(answer.authRRPID, asked.authRRPID))
      throw new SetError(
        "unknownRRPID",
        `a ${names.item} answers another authorization`,
        `${names.item}.authRRPID`,
      );
    checkTransIDs(answer.transIDs, asked.transIDs, `${names.item}.transIDs`);
    return reading.judge(answer, asked);
  });
  return { data, gateway, header, items };
}
