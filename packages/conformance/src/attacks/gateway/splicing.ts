/**
 * Splicing (digest 7.2, 7.4): a PI moved into another merchant's or another transaction's AuthReq
 * at the gateway, and an AuthRes of another transaction or another merchant handed to the merchant
 * by a man in the middle between the merchant and its gateway.
 */
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import { labMerID } from "../toolkit/authReqForger";
import { startAuthResProxy } from "../toolkit/authResProxy";
import { authorizationsOf, postSetRaw } from "../toolkit/gatewayProbe";
import { orderView } from "../toolkit/labHttp";
import { completePurchase } from "../toolkit/roguePc";
import { startSecondMerchant } from "../toolkit/secondMerchant";
import { describe, forgerOf, gatewaySet, missingFixture, sendAndJudge } from "./gatewayVerdict";

const merchantB = {
  signer: "attack/visa/merchant-b/signature",
  kex: "attack/visa/merchant-b/key-exchange",
  merID: "SETLAB-MER-0002",
};

export const piOfMerchantAInMerchantB: Attack = {
  id: "splicing/pi-for-merchant-a-in-merchant-b-authreq",
  category: "splicing",
  title: `A PI the cardholder made for the lab merchant (${labMerID}) is sent inside merchant B's AuthReq (${merchantB.merID}, its own valid certificate).`,
  expected:
    "AuthRes to merchant B with AuthCode merchantMismatch: PIHead.MerchantID is not the signer's merID; no authorization.",
  async run(target) {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const req = await f.forge({
      merchantSignerId: merchantB.signer,
      merID: merchantB.merID,
      piMerchantID: labMerID,
    });
    // The gateway seals the AuthRes to the key-exchange certificate merchant B's AuthReq carried.
    return sendAndJudge(
      target,
      req.bytes,
      req.xidHex,
      { declines: ["merchantMismatch"] },
      { kexId: merchantB.kex },
    );
  },
};

export const piOfOtherTransaction: Attack = {
  id: "splicing/pi-of-another-transaction",
  category: "splicing",
  title:
    "The merchant forwards the PI (and its CheckDigests) of another transaction inside a new transaction's AuthReq.",
  expected:
    "SET Error unknownXID (PIHead.TransIDs.XID is not AuthTags' XID); no authorization for either XID.",
  async run(target) {
    const f = forgerOf(target);
    const donor = await f.forge({ amount: 100 });
    const req = await f.forge({
      amount: 100,
      merchant: (parts) => {
        parts.authReqData.authReqItem.checkDigests = donor.parts.authReqData.authReqItem.checkDigests;
      },
      pi: () => donor.piDer,
    });
    const out = await sendAndJudge(target, req.bytes, req.xidHex, { errors: ["unknownXID"] });
    const donorRows = await authorizationsOf(target.gatewayUrl, donor.xidHex);
    return { ...out, stateUnchanged: out.stateUnchanged && donorRows.length === 0 };
  },
};

export const piOfOtherTransactionOwnDigests: Attack = {
  id: "splicing/pi-of-another-transaction-own-digests",
  category: "splicing",
  title: "The merchant forwards another transaction's PI with its own order's CheckDigests.",
  expected: "SET Error signatureFailure (HOIData differs from PI-OILink); no authorization.",
  async run(target) {
    const f = forgerOf(target);
    const donor = await f.forge({ amount: 100 });
    const req = await f.forge({ amount: 100, pi: () => donor.piDer });
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["signatureFailure"] });
  },
};

/**
 * A second lab-like merchant whose gateway is a man-in-the-middle proxy. `stolen` gives the
 * AuthRes bytes the proxy hands to the merchant for the attacked purchase.
 */
async function spliceAuthRes(
  target: AttackTarget,
  stolen: (ctx: { forwardedAuthRes?: Uint8Array }) => Promise<Uint8Array>,
  what: string,
  options: { genuineFirst: boolean },
): Promise<AttackOutcome> {
  const proxy = await startAuthResProxy(gatewaySet(target));
  const merchant = await startSecondMerchant(target.home, target.pki, proxy.setUrl);
  try {
    const shop = { ...target, merchantUrl: merchant.url };
    let forwardedAuthRes: Uint8Array | undefined;
    if (options.genuineFirst) {
      const genuine = await completePurchase(shop, { amount: 100 });
      await genuine.card.close();
      const first = proxy.exchanges[0];
      const firstOrder = await orderView(shop, String(genuine.order.id));
      if (!first || firstOrder.state !== "authorized")
        throw new Error(`the genuine purchase through the proxy was not authorized (${firstOrder.state})`);
      forwardedAuthRes = first.response;
    }
    proxy.substitute = await stolen({ forwardedAuthRes });
    const attacked = await completePurchase(shop, { amount: 100 });
    await attacked.card.close();
    const order = await orderView(shop, String(attacked.order.id));
    const rows = attacked.xid ? await authorizationsOf(target.gatewayUrl, attacked.xid) : [];
    const record = order.authorization as { failure?: string; inDoubt?: boolean } | null | undefined;
    const failure = String(record?.failure ?? "");
    // Refused: the AuthRes was not taken. The merchant either fails the order or, since the gateway
    // may yet answer for real, keeps it in doubt and asks again; it never authorizes on it.
    const refused =
      order.state === "authorizationFailed" || (order.state === "authorizing" && record?.inDoubt === true);
    return {
      refused,
      refusedBy: "merchant",
      signal: refused ? failure || order.state : order.state,
      stateUnchanged: order.state !== "authorized" && rows.length === 0,
      detail: `${what}: the merchant's order is ${order.state}${failure ? ` (${failure})` : ""}; ${rows.length} authorization(s) at the gateway for its XID; ${proxy.exchanges.length} AuthReq(s) through the proxy`,
    };
  } finally {
    await merchant.stop();
    await proxy.close();
  }
}

export const authResOfOtherTransaction: Attack = {
  id: "splicing/authres-of-another-transaction-to-merchant",
  category: "splicing",
  title:
    "A man in the middle between merchant and gateway answers a purchase's AuthReq with the approved AuthRes of the merchant's previous transaction.",
  expected:
    "The merchant refuses the AuthRes (AuthRRPID/XID mismatch); the order is not authorized (failed, or in doubt until the gateway's own answer comes).",
  run: (target) =>
    spliceAuthRes(
      target,
      async ({ forwardedAuthRes }) => forwardedAuthRes!,
      "AuthRes of another transaction",
      {
        genuineFirst: true,
      },
    ),
};

export const authResOfOtherMerchant: Attack = {
  id: "splicing/authres-of-another-merchant-to-merchant",
  category: "splicing",
  title:
    "A man in the middle answers a purchase's AuthReq with an approved AuthRes the gateway made for merchant B (sealed to merchant B).",
  expected:
    "The merchant cannot open or match the AuthRes; the order is not authorized (failed, or in doubt until the gateway's own answer comes).",
  run: (target) =>
    spliceAuthRes(
      target,
      async () => {
        const f = forgerOf(target);
        if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
        const req = await f.forge({
          merchantSignerId: merchantB.signer,
          merID: merchantB.merID,
          amount: 100,
        });
        const raw = await postSetRaw(gatewaySet(target), req.bytes);
        const answer = await f.read(raw.body, "attack/visa/merchant-b/key-exchange");
        if (answer.type !== "authRes")
          throw new Error(`merchant B's AuthReq was not answered: ${describe(answer)}`);
        return raw.body;
      },
      "AuthRes of merchant B",
      { genuineFirst: false },
    ),
};

export const splicingAttacks: readonly Attack[] = [
  piOfMerchantAInMerchantB,
  piOfOtherTransaction,
  piOfOtherTransactionOwnDigests,
  authResOfOtherTransaction,
  authResOfOtherMerchant,
];
