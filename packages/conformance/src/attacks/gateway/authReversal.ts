/**
 * Attacks on authorization reversal (AuthRevReq/AuthRevRes, digest 3.7): reversing an
 * authorization already captured, an AuthRevReq replayed, one sent by another merchant or with
 * another transaction's CapToken, a "reduction" to more than was authorized. Each must be refused
 * (its AuthRevCode, or a SET Error) with nothing changed: the account's holds and postings (the
 * issuer's view) are compared before and after.
 */
import type { Attack } from "../attack";
import {
  authRevReqOf,
  describeReversal,
  type ReversalAnswer,
  sendAuthRevReq,
} from "../toolkit/authRevReqForger";
import {
  approvedAuthorization,
  capReqOf,
  describeCapture,
  merchantB,
  sendCapReq,
} from "../toolkit/capReqForger";
import { account, accountVerdict } from "./accountVerdict";
import { forgerOf, missingFixture } from "./gatewayVerdict";

/** Refused when the answer is one of `codes` (the AuthRevCode or a SET Error's code). */
const judged = (answer: ReversalAnswer, codes: readonly string[], before: string, after: string) =>
  accountVerdict(
    answer.type === "unreadable" ? undefined : answer.code,
    describeReversal(answer),
    codes,
    before,
    after,
  );

export const reversalAfterCapture: Attack = {
  id: "authrev/after-capture",
  category: "replay",
  title:
    "A merchant captures an authorization, then reverses it to have the issuer release the hold as well.",
  expected:
    "AuthRevCode alreadyCaptured (captured money goes back by credit); the posting stays, nothing released.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const capture = await sendCapReq(target, f, (await capReqOf(f, f.p, [{ of: a, amount: 100 }])).bytes);
    if (capture.answer.type !== "capRes" || capture.answer.codes[0] !== "success")
      throw new Error(`the genuine capture failed: ${describeCapture(capture.answer)}`);
    const before = await account(target);
    const { answer } = await sendAuthRevReq(target, f, await authRevReqOf(f, f.p, a));
    return judged(answer, ["alreadyCaptured"], before, await account(target));
  },
};

export const replayedAuthRevReq: Attack = {
  id: "replay/authrevreq-same-bytes",
  category: "replay",
  title:
    "A man in the middle sends an answered AuthRevReq (a reduction) to the gateway again, byte for byte.",
  expected: "The gateway answers the stored AuthRevRes byte for byte; the hold is not reduced a second time.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const bytes = await authRevReqOf(f, f.p, a, { newAmount: 60 });
    const first = await sendAuthRevReq(target, f, bytes);
    if (first.answer.type !== "authRevRes" || first.answer.code !== "approved")
      throw new Error(`the genuine reversal failed: ${describeReversal(first.answer)}`);
    const before = await account(target);
    const again = await sendAuthRevReq(target, f, bytes);
    const after = await account(target);
    const identical = Buffer.from(again.raw).equals(Buffer.from(first.raw));
    return {
      refused: identical,
      refusedBy: "gateway",
      signal: identical ? "stored AuthRevRes" : describeReversal(again.answer),
      stateUnchanged: before === after,
      detail: `second send answered ${identical ? "the stored AuthRevRes byte for byte" : "other bytes"}; account ${before === after ? "unchanged" : "changed"}`,
    };
  },
};

export const reversalByAnotherMerchant: Attack = {
  id: "authrev/another-merchant",
  category: "splicing",
  title: `Merchant B (${merchantB.merID}, its own valid certificate) cancels an authorization of the lab merchant with the lab merchant's AuthReqData, PI and CapToken.`,
  expected:
    "AuthRevCode originalNotFound (the authorization is another merchant's), or a SET Error; the hold stays.",
  async run(target) {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const a = await approvedAuthorization(target, f, 100);
    const before = await account(target);
    const bytes = await authRevReqOf(f, f.p, a, { merchant: merchantB });
    const { answer } = await sendAuthRevReq(target, f, bytes, merchantB);
    return judged(
      answer,
      ["originalNotFound", "invalidCapToken", "invalidCertificate"],
      before,
      await account(target),
    );
  },
};

export const reversalWithAnotherTransaction: Attack = {
  id: "authrev/captoken-of-another-transaction",
  category: "splicing",
  title: "A merchant reverses one authorization with the CapToken of another (another XID and AuthRRPID).",
  expected: "AuthRevCode invalidCapToken; neither hold changes.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const b = await approvedAuthorization(target, f, 200);
    const before = await account(target);
    const { answer } = await sendAuthRevReq(target, f, await authRevReqOf(f, f.p, a, { token: b.capToken }));
    return judged(answer, ["invalidCapToken"], before, await account(target));
  },
};

export const reversalAboveAuthorization: Attack = {
  id: "authrev/new-amount-above-authorization",
  category: "replay",
  title:
    "A merchant 'reduces' an authorization of 100 to 101, to raise the hold without a new authorization.",
  expected: "AuthRevCode amountError; the hold stays at what was authorized.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const before = await account(target);
    const { answer } = await sendAuthRevReq(target, f, await authRevReqOf(f, f.p, a, { newAmount: 101 }));
    return judged(answer, ["amountError"], before, await account(target));
  },
};

export const authReversalAttacks: readonly Attack[] = [
  reversalAfterCapture,
  replayedAuthRevReq,
  reversalByAnotherMerchant,
  reversalWithAnotherTransaction,
  reversalAboveAuthorization,
];
