/**
 * XID squatting: XIDs are public (PInitRes, the order route), so another merchant with a valid
 * certificate of its own has the gateway authorize 1 unit under a victim merchant's XID before the
 * victim's buyer pays. The gateway counts an XID's authorizations per merchant: the squatter's
 * authorization is its own transaction, and the victim's purchase is judged on its own.
 */
import { fromHex } from "@setlab/protocol";
import type { Attack } from "../attack";
import { forgerOf, gatewaySet, missingFixture } from "../gateway/gatewayVerdict";
import { authorizationsOf, postSetRaw } from "../toolkit/gatewayProbe";
import { orderView, postRaw } from "../toolkit/labHttp";
import { preparePReq } from "../toolkit/roguePc";
import { readSetAnswer } from "../toolkit/setAnswer";

const merchantB = {
  signer: "attack/visa/merchant-b/signature",
  kex: "attack/visa/merchant-b/key-exchange",
  merID: "SETLAB-MER-0002",
};

export const xidSquatting: Attack = {
  id: "denial/xid-squatting-by-another-merchant",
  category: "denial",
  title: `Merchant B (${merchantB.merID}, its own valid certificate) has the gateway authorize 1 unit under the XID the lab merchant gave a buyer, before that buyer's PReq arrives.`,
  expected:
    "Merchant B's AuthReq is judged as merchant B's own transaction; the buyer's genuine purchase is then authorized, not declined as duplicateAuthorization.",
  async run(target) {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const victim = await preparePReq(target, { amount: 100 });
    try {
      const squat = await f.forge({
        merchantSignerId: merchantB.signer,
        merID: merchantB.merID,
        xid: fromHex(victim.xid),
        amount: 1,
      });
      const squatted = await f.read((await postSetRaw(gatewaySet(target), squat.bytes)).body, merchantB.kex);
      const answer = await readSetAnswer(await postRaw(victim.initiation.setUrl, victim.pReq));
      const order = await orderView(target, String(victim.order.id));
      const rows = await authorizationsOf(target.gatewayAdmin, victim.xid);
      const authCode = (order.authorization as { authCode?: string } | null | undefined)?.authCode;
      const refused = order.state === "authorized";
      return {
        refused,
        refusedBy: "gateway",
        signal: authCode ?? order.state,
        stateUnchanged: refused,
        detail: `merchant B's AuthReq under the XID got ${squatted.type === "authRes" ? squatted.authCode : squatted.type}; the buyer's PReq got ${answer.kind === "message" ? answer.type : answer.kind} and the order is ${order.state}${authCode ? ` (${authCode})` : ""}; gateway rows for the XID: ${rows.map((r) => `${r.merchantID} ${r.authCode}`).join(", ")}`,
      };
    } finally {
      await victim.card.close();
    }
  },
};
