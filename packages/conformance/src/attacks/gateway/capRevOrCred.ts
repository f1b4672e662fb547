/**
 * Attacks on capture reversal, credit and credit reversal (CapRevReq, CredReq, CredRevReq, digest
 * 3.7): a credit over what was captured, a CredReq replayed byte for byte or under new ids, a
 * credit of an authorization never captured or of another merchant's, a capture reversal of an
 * authorization never captured. Each must be refused (the item's code, or a SET Error) with
 * nothing booked: the account's holds and postings (the issuer's view) are compared before and after.
 */
import type { Attack } from "../attack";
import { approvedAuthorization, merchantB } from "../toolkit/capReqForger";
import { capRevOrCredReqOf, capturedAuthorization, sendCapRevOrCred } from "../toolkit/capRevOrCredForger";
import { capRevOrCredAnswers, genuine, refusedOnAccount, replayedOnAccount } from "./accountVerdict";
import { forgerOf, missingFixture } from "./gatewayVerdict";

export const creditOverCaptured: Attack = {
  id: "credit/over-captured",
  category: "replay",
  title: "A merchant credits 60 of a 100 capture, then asks for 41 more: one yen more than is left.",
  expected: "CapRevOrCredCode amountError; nothing credited, the account unchanged.",
  async run(target) {
    const f = forgerOf(target);
    const a = await capturedAuthorization(target, f, 100);
    const first = await capRevOrCredReqOf(f, "credit", [{ of: a, captured: 100, amount: 60 }]);
    genuine(capRevOrCredAnswers, "credit", await sendCapRevOrCred(target, f, "credit", first.bytes));
    const date = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    const req = await capRevOrCredReqOf(f, "credit", [{ of: a, captured: 100, amount: 41, date }]);
    return refusedOnAccount(target, capRevOrCredAnswers, ["amountError"], () =>
      sendCapRevOrCred(target, f, "credit", req.bytes),
    );
  },
};

export const replayedCredReq: Attack = {
  id: "replay/credreq-same-bytes",
  category: "replay",
  title: "A man in the middle sends an answered CredReq to the gateway again, byte for byte.",
  expected: "The gateway answers the stored CredRes byte for byte and credits nothing a second time.",
  async run(target) {
    const f = forgerOf(target);
    const a = await capturedAuthorization(target, f, 100);
    const req = await capRevOrCredReqOf(f, "credit", [{ of: a, captured: 100, amount: 30 }]);
    const first = genuine(
      capRevOrCredAnswers,
      "credit",
      await sendCapRevOrCred(target, f, "credit", req.bytes),
    );
    return replayedOnAccount(target, capRevOrCredAnswers, "CredRes", first, () =>
      sendCapRevOrCred(target, f, "credit", req.bytes),
    );
  },
};

export const credReqUnderNewIds: Attack = {
  id: "replay/credreq-new-ids",
  category: "replay",
  title: "The same credit (same authorization, amount and CapRevOrCredReqDate) sent again under a new RRPID.",
  expected: "CapRevOrCredCode duplicateRequest; the credit is not given twice.",
  async run(target) {
    const f = forgerOf(target);
    const a = await capturedAuthorization(target, f, 100);
    const date = new Date(Math.floor(Date.now() / 1000) * 1000);
    const item = { of: a, captured: 100, amount: 30, date };
    const first = await capRevOrCredReqOf(f, "credit", [item]);
    genuine(capRevOrCredAnswers, "credit", await sendCapRevOrCred(target, f, "credit", first.bytes));
    const again = await capRevOrCredReqOf(f, "credit", [item]);
    return refusedOnAccount(target, capRevOrCredAnswers, ["duplicateRequest"], () =>
      sendCapRevOrCred(target, f, "credit", again.bytes),
    );
  },
};

export const creditOfUncaptured: Attack = {
  id: "credit/uncaptured-authorization",
  category: "replay",
  title: "A merchant credits an authorization it never captured (money that never moved).",
  expected: "CapRevOrCredCode originalNotFound; nothing credited, the hold unchanged.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const req = await capRevOrCredReqOf(f, "credit", [{ of: a, captured: 100, amount: 100 }]);
    return refusedOnAccount(target, capRevOrCredAnswers, ["originalNotFound"], () =>
      sendCapRevOrCred(target, f, "credit", req.bytes),
    );
  },
};

export const creditOfAnotherMerchant: Attack = {
  id: "credit/another-merchants-authorization",
  category: "splicing",
  title: `Merchant B (${merchantB.merID}, its own valid certificate) credits a captured authorization of the lab merchant with its CapToken and TransIDs.`,
  expected:
    "CapRevOrCredCode invalidCapToken (the token names another merchant), or a SET Error for merchant B; nothing credited.",
  async run(target) {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const a = await capturedAuthorization(target, f, 100);
    const req = await capRevOrCredReqOf(f, "credit", [{ of: a, captured: 100, amount: 100 }], {
      merchant: merchantB,
    });
    return refusedOnAccount(target, capRevOrCredAnswers, ["invalidCapToken", "invalidCertificate"], () =>
      sendCapRevOrCred(target, f, "credit", req.bytes, merchantB),
    );
  },
};

export const captureReversalOfUncaptured: Attack = {
  id: "capture-reversal/uncaptured",
  category: "replay",
  title: "A merchant reverses the capture of an authorization it never captured.",
  expected: "CapRevOrCredCode originalNotFound; the hold stays as it was, nothing posted.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const req = await capRevOrCredReqOf(f, "captureReversal", [{ of: a, captured: 100 }]);
    return refusedOnAccount(target, capRevOrCredAnswers, ["originalNotFound"], () =>
      sendCapRevOrCred(target, f, "captureReversal", req.bytes),
    );
  },
};

export const capRevOrCredAttacks: readonly Attack[] = [
  creditOverCaptured,
  replayedCredReq,
  credReqUnderNewIds,
  creditOfUncaptured,
  creditOfAnotherMerchant,
  captureReversalOfUncaptured,
];
