/**
 * Attacks on subsequent authorization (digest 3.5, AuthToken; 6, "Gateway": "one XID must not be
 * authorized twice beyond what InstallRecurData allows"): an AuthToken presented by another
 * merchant or for another transaction, a token spent twice, an amount beyond what remains of a
 * split shipment, a payment beyond the installment count or before the recurring period. Each
 * must be refused (an AuthCode, or a SET Error) with nothing held: the card's account (the
 * issuer's view) is compared before and after.
 */
import type { schema } from "@setlab/protocol";
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import type { GatewayAnswer } from "../toolkit/authReqForger";
import { sendSubsequent, subsequentAuthReqOf, tokenPurchase } from "../toolkit/authTokenForger";
import type { MerchantKeys } from "../toolkit/capReqForger";
import { accountOf } from "../toolkit/labHttp";
import { describe, forgerOf, missingFixture, signalOf } from "./gatewayVerdict";

const card = "visa-approve";
const account = async (target: AttackTarget) => JSON.stringify(await accountOf(target, card));
const day = 24 * 3600_000;

const merchantB: MerchantKeys = {
  signer: "attack/visa/merchant-b/signature",
  kex: "attack/visa/merchant-b/key-exchange",
  merID: "SETLAB-MER-0002",
};

const installments = (n: number): schema.InstallRecurData => ({
  installRecurInd: { type: "installTotalTrans", value: n },
});

function judged(
  answer: GatewayAnswer,
  codes: readonly string[],
  before: string,
  after: string,
): AttackOutcome {
  const signal = signalOf(answer);
  return {
    refused: signal !== undefined && codes.includes(signal),
    refusedBy: "gateway",
    ...(signal ? { signal } : {}),
    stateUnchanged: before === after,
    detail: `${describe(answer)}; account ${before === after ? "unchanged" : "changed"}`,
  };
}

export const authTokenOfAnotherMerchant: Attack = {
  id: "authtoken/of-another-merchant",
  category: "splicing",
  title: `Merchant B (${merchantB.merID}, its own valid certificate) authorizes more of the lab merchant's purchase with the lab merchant's AuthToken and TransIDs.`,
  expected:
    "AuthCode authTokenRejected (the token names another merchant), or a SET Error for merchant B; nothing held.",
  async run(target) {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const purchase = await tokenPurchase(target, f, { amount: 1000, authReqAmount: 100 });
    const before = await account(target);
    const bytes = await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100, merchantB);
    const answer = await sendSubsequent(target, f, bytes, merchantB);
    return judged(answer, ["authTokenRejected", "invalidCertificate"], before, await account(target));
  },
};

export const authTokenOfAnotherTransaction: Attack = {
  id: "authtoken/of-another-transaction",
  category: "splicing",
  title:
    "The lab merchant authorizes a purchase that allows nothing more with the AuthToken of another purchase (another XID).",
  expected: "AuthCode authTokenRejected (the token binds another transaction); nothing held.",
  async run(target) {
    const f = forgerOf(target);
    const withToken = await tokenPurchase(target, f, { amount: 1000, authReqAmount: 100 });
    const other = await f.forge({ amount: 100 });
    const before = await account(target);
    const bytes = await subsequentAuthReqOf(f, other.parts.transIDs, withToken.authToken, 100);
    const answer = await sendSubsequent(target, f, bytes);
    return judged(answer, ["authTokenRejected"], before, await account(target));
  },
};

export const authTokenReplayed: Attack = {
  id: "authtoken/replayed",
  category: "replay",
  title: "A merchant spends an AuthToken a second time, in a new AuthReq (a new AuthRRPID).",
  expected: "AuthCode authTokenRejected (a token authorizes once); the second AuthReq holds nothing.",
  async run(target) {
    const f = forgerOf(target);
    const purchase = await tokenPurchase(target, f, { amount: 1000, authReqAmount: 100 });
    const first = await sendSubsequent(
      target,
      f,
      await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100),
    );
    if (signalOf(first) !== "approved")
      throw new Error(`the genuine later authorization failed: ${describe(first)}`);
    const before = await account(target);
    const bytes = await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100);
    const answer = await sendSubsequent(target, f, bytes);
    return judged(answer, ["authTokenRejected"], before, await account(target));
  },
};

export const authTokenBeyondRemaining: Attack = {
  id: "authtoken/beyond-what-remains",
  category: "tampering",
  title: "A split shipment of 1000 authorized 600 at first; the merchant asks the AuthToken for 401 more.",
  expected: "AuthCode amountError (400 remain); nothing held.",
  async run(target) {
    const f = forgerOf(target);
    const purchase = await tokenPurchase(target, f, { amount: 1000, authReqAmount: 600 });
    const before = await account(target);
    const bytes = await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 401);
    const answer = await sendSubsequent(target, f, bytes);
    return judged(answer, ["amountError"], before, await account(target));
  },
};

export const authTokenBeyondInstallments: Attack = {
  id: "authtoken/beyond-installment-count",
  category: "replay",
  title:
    "The cardholder signed two installments; after both, the merchant asks for a third with the first payment's AuthToken.",
  expected: "AuthCode authTokenRejected (the count is used up and the token spent); nothing held.",
  async run(target) {
    const f = forgerOf(target);
    const purchase = await tokenPurchase(target, f, { amount: 100, terms: installments(2) });
    const second = await sendSubsequent(
      target,
      f,
      await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100),
    );
    if (signalOf(second) !== "approved")
      throw new Error(`the genuine second installment failed: ${describe(second)}`);
    const before = await account(target);
    const bytes = await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100);
    const answer = await sendSubsequent(target, f, bytes);
    return judged(answer, ["authTokenRejected"], before, await account(target));
  },
};

export const authTokenBeforeFrequency: Attack = {
  id: "authtoken/before-recurring-period",
  category: "replay",
  title: "The cardholder signed a payment every 30 days; the merchant asks for the next one the same day.",
  expected: "AuthCode authTokenRejected (the period has not passed); nothing held.",
  async run(target) {
    const f = forgerOf(target);
    const expiry = new Date(Math.floor((Date.now() + 365 * day) / 1000) * 1000);
    const purchase = await tokenPurchase(target, f, {
      amount: 100,
      terms: {
        installRecurInd: { type: "recurring", value: { recurringFrequency: 30, recurringExpiry: expiry } },
      },
    });
    const before = await account(target);
    const bytes = await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100);
    const answer = await sendSubsequent(target, f, bytes);
    return judged(answer, ["authTokenRejected"], before, await account(target));
  },
};

export const authTokenAttacks: readonly Attack[] = [
  authTokenOfAnotherMerchant,
  authTokenOfAnotherTransaction,
  authTokenReplayed,
  authTokenBeyondRemaining,
  authTokenBeyondInstallments,
  authTokenBeforeFrequency,
];
