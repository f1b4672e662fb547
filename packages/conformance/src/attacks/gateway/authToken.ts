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
import type { AuthReqForger } from "../toolkit/authReqForger";
import {
  sendSubsequent,
  subsequentAuthReqOf,
  type TokenPurchase,
  tokenPurchase,
} from "../toolkit/authTokenForger";
import { type MerchantKeys, merchantB } from "../toolkit/capReqForger";
import { authorizationAnswers, genuine, refusedOnAccount } from "./accountVerdict";
import { forgerOf, missingFixture } from "./gatewayVerdict";

const day = 24 * 3600_000;

const installments = (n: number): schema.InstallRecurData => ({
  installRecurInd: { type: "installTotalTrans", value: n },
});

/** One more AuthReq spending `token` for `amount`, judged by its answer and the account before and after. */
async function spend(
  target: AttackTarget,
  f: AuthReqForger,
  transIDs: schema.TransIDs,
  token: schema.AuthToken,
  amount: number,
  codes: readonly string[],
  merchant?: MerchantKeys,
): Promise<AttackOutcome> {
  const bytes = await subsequentAuthReqOf(f, transIDs, token, amount, merchant);
  return refusedOnAccount(target, authorizationAnswers, codes, async () => ({
    answer: await sendSubsequent(target, f, bytes, merchant),
  }));
}

/** A genuine later authorization of 100 with the purchase's AuthToken: it must be approved. */
async function spendGenuinely(target: AttackTarget, f: AuthReqForger, purchase: TokenPurchase, what: string) {
  const bytes = await subsequentAuthReqOf(f, purchase.transIDs, purchase.authToken, 100);
  genuine(authorizationAnswers, what, { answer: await sendSubsequent(target, f, bytes) });
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
    return spend(
      target,
      f,
      purchase.transIDs,
      purchase.authToken,
      100,
      ["authTokenRejected", "invalidCertificate"],
      merchantB,
    );
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
    return spend(target, f, other.parts.transIDs, withToken.authToken, 100, ["authTokenRejected"]);
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
    await spendGenuinely(target, f, purchase, "later authorization");
    return spend(target, f, purchase.transIDs, purchase.authToken, 100, ["authTokenRejected"]);
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
    return spend(target, f, purchase.transIDs, purchase.authToken, 401, ["amountError"]);
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
    await spendGenuinely(target, f, purchase, "second installment");
    return spend(target, f, purchase.transIDs, purchase.authToken, 100, ["authTokenRejected"]);
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
    return spend(target, f, purchase.transIDs, purchase.authToken, 100, ["authTokenRejected"]);
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
