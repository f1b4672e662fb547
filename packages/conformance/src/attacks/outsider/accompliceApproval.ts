/**
 * Another gateway of the brand approves: a man in the middle between the merchant and its gateway
 * answers the merchant's AuthReq with an AuthRes signed by the lab's second Visa gateway (valid,
 * unrevoked, its own keys), made for the transaction the buyer it colludes with started. The
 * merchant must take an AuthRes only from the gateway it sealed the AuthReq to.
 */
import { schema, sealAuthRes, wholeSeconds, wrapMessage } from "@setlab/protocol";
import type { Attack, AttackTarget } from "../attack";
import { gatewaySet, missingFixture } from "../gateway/gatewayVerdict";
import { labMerID } from "../toolkit/authReqForger";
import { startAuthResProxy } from "../toolkit/authResProxy";
import { authorizationsOf } from "../toolkit/gatewayProbe";
import { orderView, postRaw } from "../toolkit/labHttp";
import { readPInitRes } from "../toolkit/messages";
import { preparePReq } from "../toolkit/roguePc";
import { startSecondMerchant } from "../toolkit/secondMerchant";
import { adversaryProvider, hasEntry, openPki, signerOf } from "../toolkit/stolenKeys";

const accomplice = "attack/visa/accomplice-gateway/signature";
const merchantKex = "visa/merchant/key-exchange";

/** An approving AuthRes for the AuthReq `authReq`, signed by the accomplice gateway. */
async function accompliceAuthRes(
  target: AttackTarget,
  authReq: Uint8Array,
  transIDs: schema.TransIDs,
  purchAmt: schema.CurrencyAmount,
): Promise<Uint8Array> {
  const pki = openPki(target.pki);
  // The AuthRRPID travels in the clear, in the AuthReq's header.
  const rrpid = schema.decodeMessage(authReq).messageHeader.rrpid;
  if (!rrpid) throw new Error("the merchant's AuthReq carries no RRPID in its header");
  const now = wholeSeconds(new Date());
  const data: schema.AuthResData = {
    authTags: { authRRTags: { rrpid, merTermIDs: { merchantID: labMerID }, currentDate: now }, transIDs },
    authResPayload: {
      authHeader: {
        authAmt: purchAmt,
        authCode: "approved",
        responseData: { authValCodes: { approvalCode: "ACCOMP" } },
      },
    },
  };
  const authRes = await sealAuthRes(
    adversaryProvider,
    await signerOf(pki, accomplice),
    pki.certificate(merchantKex),
    data,
    { capToken: { type: "none", value: null } },
  );
  return wrapMessage(
    { type: "authorizationResponse", value: authRes },
    { rrpid, lid_C: transIDs.lid_C, ...(transIDs.lid_M ? { lid_M: transIDs.lid_M } : {}), xid: transIDs.xid },
    { date: now },
  );
}

export const accompliceGatewayApproval: Attack = {
  id: "gateway-substitution/authres-from-another-gateway-of-the-brand",
  category: "gateway-substitution",
  title:
    "A man in the middle answers the merchant's AuthReq with an approval signed by the lab's second Visa gateway (a valid certificate of the brand), for the purchase of the buyer it colludes with.",
  expected:
    "The merchant refuses the AuthRes (invalidCertificate: not the gateway the AuthReq was sealed to); the order is not authorized and the real gateway holds nothing.",
  async run(target) {
    if (!hasEntry(openPki(target.pki), accomplice)) missingFixture(accomplice);
    const proxy = await startAuthResProxy(gatewaySet(target));
    const merchant = await startSecondMerchant(target.home, target.pki, proxy.setUrl, "merchant-accomplice");
    try {
      const shop = { ...target, merchantUrl: merchant.url, merchantAdmin: merchant.admin };
      const prepared = await preparePReq(shop, { amount: 100 });
      const { transIDs } = await readPInitRes(prepared.pInitRes);
      proxy.substitute = (authReq) =>
        accompliceAuthRes(target, authReq, transIDs, prepared.initiation.purchAmt);
      await postRaw(prepared.initiation.setUrl, prepared.pReq);
      await prepared.card.close();
      const order = await orderView(shop, String(prepared.order.id));
      const rows = await authorizationsOf(target.gatewayAdmin, prepared.xid);
      const record = order.authorization as { failure?: string; inDoubt?: boolean } | null | undefined;
      const failure = String(record?.failure ?? "");
      const refused =
        (order.state === "authorizationFailed" && /invalidCertificate/.test(failure)) ||
        (order.state === "authorizing" && record?.inDoubt === true);
      return {
        refused,
        refusedBy: "merchant",
        signal: failure || order.state,
        stateUnchanged: order.state !== "authorized" && rows.length === 0,
        detail: `the merchant's order is ${order.state}${failure ? ` (${failure})` : ""}; ${proxy.exchanges.length} AuthRes(s) from the accomplice; ${rows.length} authorization(s) at the real gateway`,
      };
    } finally {
      await merchant.stop();
      await proxy.close();
    }
  },
};
