/**
 * Attacks on capture (CapReq/CapRes, digest 3.7): capturing more than was authorized, capturing
 * twice, a CapToken of another transaction or another merchant, a CapReq replayed. Each must be
 * refused (the item's CapCode, or a SET Error) with nothing booked: the account's holds and
 * postings (the issuer's view) are compared before and after.
 */
import type { Attack } from "../attack";
import { approvedAuthorization, capReqOf, merchantB, sendCapReq } from "../toolkit/capReqForger";
import { captureAnswers, genuine, refusedOnAccount, replayedOnAccount } from "./accountVerdict";
import { forgerOf, missingFixture } from "./gatewayVerdict";

export const captureOverAuthorization: Attack = {
  id: "capture/over-authorization",
  category: "replay",
  title: "A merchant captures one yen more than the gateway authorized.",
  expected: "CapCode amountError for the item; no capture, the hold and postings unchanged.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const req = await capReqOf(f, f.p, [{ of: a, amount: 101 }]);
    return refusedOnAccount(target, captureAnswers, ["amountError"], () => sendCapReq(target, f, req.bytes));
  },
};

export const captureTwice: Attack = {
  id: "capture/twice",
  category: "replay",
  title: "A merchant captures an authorization it already captured, in a new CapReq (a new CapRRPID).",
  expected: "CapCode duplicateRequest; the second capture books nothing.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const first = await capReqOf(f, f.p, [{ of: a, amount: 100 }]);
    genuine(captureAnswers, "capture", await sendCapReq(target, f, first.bytes));
    const again = await capReqOf(f, f.p, [{ of: a, amount: 100 }]);
    return refusedOnAccount(target, captureAnswers, ["duplicateRequest"], () =>
      sendCapReq(target, f, again.bytes),
    );
  },
};

export const capTokenOfAnotherTransaction: Attack = {
  id: "capture/captoken-of-another-transaction",
  category: "splicing",
  title:
    "A merchant captures a small authorization with the CapToken of a larger one (another XID) to capture the larger amount.",
  expected: "CapCode invalidCapToken (the token binds another AuthRRPID and XID); nothing booked.",
  async run(target) {
    const f = forgerOf(target);
    const small = await approvedAuthorization(target, f, 100);
    const large = await approvedAuthorization(target, f, 900);
    const req = await capReqOf(f, f.p, [{ of: small, amount: 900, token: large.capToken }]);
    return refusedOnAccount(target, captureAnswers, ["invalidCapToken"], () =>
      sendCapReq(target, f, req.bytes),
    );
  },
};

export const capTokenOfAnotherMerchant: Attack = {
  id: "capture/captoken-of-another-merchant",
  category: "splicing",
  title: `Merchant B (${merchantB.merID}, its own valid certificate) captures an authorization of the lab merchant with the lab merchant's CapToken and TransIDs.`,
  expected:
    "CapCode invalidCapToken (the token names another merchant), or a SET Error for merchant B; nothing booked.",
  async run(target) {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const a = await approvedAuthorization(target, f, 100);
    const req = await capReqOf(f, f.p, [{ of: a, amount: 100 }], { merchant: merchantB });
    return refusedOnAccount(target, captureAnswers, ["invalidCapToken", "invalidCertificate"], () =>
      sendCapReq(target, f, req.bytes, merchantB),
    );
  },
};

export const replayedCapReq: Attack = {
  id: "replay/capreq-same-bytes",
  category: "replay",
  title: "A man in the middle sends an answered CapReq to the gateway again, byte for byte.",
  expected: "The gateway answers the stored CapRes byte for byte and books nothing a second time.",
  async run(target) {
    const f = forgerOf(target);
    const a = await approvedAuthorization(target, f, 100);
    const req = await capReqOf(f, f.p, [{ of: a, amount: 100 }]);
    const first = genuine(captureAnswers, "capture", await sendCapReq(target, f, req.bytes));
    return replayedOnAccount(target, captureAnswers, "CapRes", first, () => sendCapReq(target, f, req.bytes));
  },
};

export const captureAttacks: readonly Attack[] = [
  captureOverAuthorization,
  captureTwice,
  capTokenOfAnotherTransaction,
  capTokenOfAnotherMerchant,
  replayedCapReq,
];
