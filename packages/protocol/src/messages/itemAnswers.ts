/**
 * A many-item answer (CapRes, CapRevRes/CredRes/CredRevRes) against the request: its ids against
 * the header, its RRPID ours, and one item per item asked, in its order, each answering that
 * item's authorization and transaction.
 */
import { bytesEqual } from "../asn1/tlv";
import { SetError } from "../errors";
import { sameMinorUnits } from "../money/amount";
import { checkTransIDs } from "../purchase/transIDs";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import { checkAnswerIds, type GatewayAnswer, type GatewayAnswerExpectations } from "./gatewayAnswer";
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

/** What the errors say and where they point, as each answer's own names have them. */
export interface ItemAnswerWords {
  readonly answer: string;
  readonly request: string;
  readonly notOurRRPID: string;
  readonly rrTags: string;
  readonly itemSeq: string;
  readonly otherAuthorization: string;
  /** The item's type, `where` for its AuthRRPID and TransIDs. */
  readonly item: string;
}

/**
 * Header ids against the body (wrapperMsgMismatch; one item: its TransIDs too); the RRPID ours
 * (unknownRRPID); as many items as asked (wrapperMsgMismatch); each item's AuthRRPID
 * (unknownRRPID) and TransIDs (unknownXID, unknownLID, wrapperMsgMismatch) those of the item asked.
 */
export function matchItemAnswers<Answer extends ItemIds, Asked extends ItemIds>(
  header: MessageHeader,
  rrpid: Uint8Array,
  answers: readonly Answer[],
  expectedRRPID: Uint8Array,
  asked: readonly Asked[],
  words: ItemAnswerWords,
): { readonly answer: Answer; readonly asked: Asked }[] {
  const ids: ProtectedIds = answers.length === 1 ? protectedIdsOf(answers[0].transIDs, rrpid) : { rrpid };
  checkAnswerIds(header, ids, rrpid, expectedRRPID, words.notOurRRPID, words.rrTags);
  if (answers.length !== asked.length)
    throw new SetError(
      "wrapperMsgMismatch",
      `the ${words.answer} answers ${answers.length} items, the ${words.request} asked ${asked.length}`,
      words.itemSeq,
    );
  return answers.map((answer, i) => {
    const item = asked[i];
    if (!bytesEqual(answer.authRRPID, item.authRRPID))
      throw new SetError("unknownRRPID", words.otherAuthorization, `${words.item}.authRRPID`);
    checkTransIDs(answer.transIDs, item.transIDs, `${words.item}.transIDs`);
    return { answer, asked: item };
  });
}
