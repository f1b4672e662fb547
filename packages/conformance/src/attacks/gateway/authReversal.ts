/**
 * Attacks on authorization reversal (AuthRevReq/AuthRevRes, digest 3.7): reversing an
 * authorization already captured, an AuthRevReq replayed, one sent by another merchant or with
 * another transaction's CapToken, a "reduction" to more than was authorized. Each must be refused
 * (its AuthRevCode, or a SET Error) with nothing changed: the account's holds and postings (the
 * issuer's view) are compared before and after.
 */
import type { Attack, AttackTarget } from "../attack";
import type { AuthReqForger } from "../toolkit/authReqForger";
import { authRevReqOf, sendAuthRevReq } from "../toolkit/authRevReqForger";
import {
  approvedAuthorization,
  capReqOf,
  type MerchantKeys,
  merchantB,
  sendCapReq,
} from "../toolkit/capReqForger";
import {
  captureAnswers,
  genuine,
  refusedOnAccount,
  replayedOnAccount,
  reversalAnswers,
} from "./accountVerdict";
import { forgerOf, missingFixture } from "./gatewayVerdict";

/** The AuthRevReq `bytes` sent once, judged on the account: refused by one of `codes`. */
const reversalRefused = (
  target: AttackTarget,
  f: AuthReqForger,
  bytes: Uint8Array,
  codes: readonly string[],
  merchant?: MerchantKeys,
) => refusedOnAccount(target, reversalAnswers, codes, () => sendAuthRevReq(target, f, bytes, merchant));

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
    const capture = await capReqOf(f, f.p, [{ of: a, amount: 100 }]);
    genuine(captureAnswers, "capture", await sendCapReq(target, f, capture.bytes));
    const bytes = await authRevReqOf(f, f.p, a);
    return reversalRefused(target, f, bytes, ["alreadyCaptured"]);
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
    const first = genuine(reversalAnswers, "reversal", await sendAuthRevReq(target, f, bytes));
    return replayedOnAccount(target, reversalAnswers, "AuthRevRes", first, () =>
      sendAuthRevReq(target, f, bytes),
    );
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
    const bytes = await authRevReqOf(f, f.p, a, { merchant: merchantB });
    const codes = ["originalNotFound", "invalidCapToken", "invalidCertificate"];
    return reversalRefused(target, f, bytes, codes, merchantB);
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
    const bytes = await authRevReqOf(f, f.p, a, { token: b.capToken });
    return reversalRefused(target, f, bytes, ["invalidCapToken"]);
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
    const bytes = await authRevReqOf(f, f.p, a, { newAmount: 101 });
    return reversalRefused(target, f, bytes, ["amountError"]);
  },
};

export const authReversalAttacks: readonly Attack[] = [
  reversalAfterCapture,
  replayedAuthRevReq,
  reversalByAnotherMerchant,
  reversalWithAnotherTransaction,
  reversalAboveAuthorization,
];
