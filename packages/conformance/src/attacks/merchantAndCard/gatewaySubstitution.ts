/**
 * The Bella-Massacci-Paulson gateway substitution (digest 7.1). PIHead and PI-TBS do not name the
 * gateway, so a dishonest merchant can put an accomplice's valid, same-brand key-exchange
 * certificate in PInitRes: the card seals the PI (and the PAN) to the accomplice, who reads the
 * PAN, seals the PI again to the real gateway, and the merchant's signed AuthReq gets an
 * authorization. SET 1.0 (profile `set`) falls to it; the hardened profile must not: the card
 * pins each brand's gateway, and the gateway refuses a PI whose ProfileBinding names another
 * gateway's certificate. The profile is the card's choice: a card with pins applies them even when
 * the rogue shop asks for `set`.
 */
import {
  parseSetCertificate,
  schema,
  signPRes,
  thumbOf,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { Attack, AttackTarget } from "../attack";
import { merchantAuthReq, openAndReseal, type RogueOrder } from "../toolkit/accomplice";
import { walletPReq } from "../toolkit/cardholderWallet";
import { authorizationsFor, postToGateway } from "../toolkit/labHttp";
import { merIDOf } from "../toolkit/messages";
import { craftPInitRes } from "../toolkit/roguePInitRes";
import { rogueOrder, shopAtRogue } from "../toolkit/rogueShop";
import { describeAnswer, readSetAnswer, type SetAnswer } from "../toolkit/setAnswer";
import { changes, snapshot } from "../toolkit/stateWitness";
import { adversaryProvider, cardData, hasEntry, openPki, signerOf } from "../toolkit/stolenKeys";
import { verdict } from "../toolkit/verdict";

const accomplice = "attack/visa/accomplice-gateway/key-exchange";
const realGateway = "visa/gateway/key-exchange";
const merchantSig = "visa/merchant/signature";
const merchantKex = "visa/merchant/key-exchange";
const cardId = "visa-approve";

function needFixtures(target: AttackTarget) {
  const pki = openPki(target.pki);
  if (!hasEntry(pki, accomplice)) throw new Error(`the lab PKI has no ${accomplice}`);
  return pki;
}

/** The rogue shop for the substitution: PInitRes names the accomplice; the PReq goes through it. */
async function substitutionVisit(target: AttackTarget, profile: "set" | "hardened") {
  const pki = needFixtures(target);
  const p = adversaryProvider;
  const state: {
    order?: RogueOrder;
    panLearned?: boolean;
    gateway?: SetAnswer;
    xid?: string;
    failure?: string;
  } = {};
  const visit = await shopAtRogue(
    target,
    {
      onPInitReq: async (der) => {
        const crafted = await craftPInitRes(pki, der, { signerId: merchantSig, gatewayId: accomplice });
        const req = schema.decodeMessage(der).message.value as schema.PInitReq;
        state.xid = toHex(crafted.data.transIDs.xid);
        state.order = {
          transIDs: crafted.data.transIDs,
          chall_M: crafted.data.chall_M,
          od: new Uint8Array(Buffer.from(rogueOrder.description, "utf8")),
          purchAmt: rogueOrder.purchAmt,
          brandID: req.brandID,
          bin: req.bin,
        };
        return crafted.der;
      },
      onPReq: async (der) => {
        try {
          const order = state.order!;
          const opened = await openAndReseal(pki, der, accomplice, realGateway);
          state.panLearned = opened.pan === cardData(pki, cardId).pan;
          const { authReq } = await merchantAuthReq(pki, opened.resealed, order, {
            merchantSignatureId: merchantSig,
            merchantKeyExchangeId: merchantKex,
            gatewayId: realGateway,
          });
          state.gateway = await readSetAnswer(await postToGateway(target, authReq));
        } catch (e) {
          state.failure = (e as Error).message.split("\n")[0];
        }
        const order = state.order!;
        const oiData = (schema.decodeMessage(der).message.value as schema.PReq)
          .value as schema.PReqDualSigned;
        const rrpid = oiData.oiDualSigned.oiData.rrpid;
        const pRes = await signPRes(p, await signerOf(pki, merchantSig, p), {
          transIDs: order.transIDs,
          rrpid,
          chall_C: oiData.oiDualSigned.oiData.chall_C,
          pResPayloadSeq: [
            {
              completionCode: "authorizationPerformed",
              results: {
                authStatus: {
                  authDate: wholeSeconds(new Date()),
                  authAmt: order.purchAmt,
                },
              },
            },
          ],
        });
        return wrapMessage(
          { type: "purchaseResponse", value: pRes },
          { rrpid, lid_C: order.transIDs.lid_C, lid_M: order.transIDs.lid_M, xid: order.transIDs.xid },
          { date: new Date() },
        );
      },
    },
    { profile },
  );
  return { visit, state };
}

/**
 * The rogue shop's visit under `profile`, judged at the card: it must refuse the accomplice's
 * certificate (6F00) before it signs anything, so no PReq reaches the rogue shop and nothing is
 * authorized, through the accomplice or otherwise.
 */
async function cardRefusesAccomplice(target: AttackTarget, profile: "set" | "hardened") {
  const { visit, state } = await substitutionVisit(target, profile);
  const approved = state.xid
    ? (await authorizationsFor(target, state.xid)).filter((a) => a.authCode === "approved").length
    : 0;
  return verdict(target, {
    refused: visit.pReqs.length === 0 && visit.cardCode !== undefined,
    refusedBy: "card",
    signal: visit.cardCode ? `6F00 ${visit.cardCode}` : "the card built a PReq",
    changed: approved > 0 ? [`authorizations 0 -> ${approved} (through the accomplice)`] : [],
    detail: `mediator ${visit.mediator.outcome?.outcome}: ${visit.mediator.outcome?.reason ?? ""}; PReqs at the rogue shop: ${visit.pReqs.length}; accomplice ${state.panLearned ? "READ THE PAN" : "read nothing"}; real gateway answered ${state.gateway ? describeAnswer(state.gateway) : "nothing"}; ${approved} approved authorization(s)`,
  });
}

export const substitutionSet: Attack = {
  id: "gateway-substitution/accomplice-gateway-set",
  category: "gateway-substitution",
  title:
    "A dishonest merchant names an accomplice's valid Visa gateway key-exchange certificate in PInitRes and asks for profile set, so that a card that only pins under hardened would seal the PI (and the PAN) to the accomplice.",
  expected:
    "The card's own policy decides: a card personalized with Visa gateway pins applies them whatever the shop asks, and refuses the accomplice (6F00 thumbsMismatch) before it signs anything: no PReq, the PAN never leaves, no authorization. (A card without pins would fall to it: SET 1.0's gap.)",
  run: (target) => cardRefusesAccomplice(target, "set"),
};

export const substitutionHardenedCard: Attack = {
  id: "gateway-substitution/accomplice-gateway-hardened-card",
  category: "gateway-substitution",
  title:
    "The same substitution under the hardened profile: the rogue shop's initiation asks for hardened and PInitRes names the accomplice's gateway certificate.",
  expected:
    "The card refuses the gateway certificate it does not pin for Visa (6F00) before it signs anything: no PReq, the PAN never leaves, no authorization.",
  run: (target) => cardRefusesAccomplice(target, "hardened"),
};

export const substitutionHardenedGateway: Attack = {
  id: "gateway-substitution/accomplice-gateway-hardened-gateway",
  category: "gateway-substitution",
  title:
    "A hardened PI whose ProfileBinding names the accomplice's gateway certificate (as a card that accepted the accomplice would build it) is opened by the accomplice, re-sealed to the real gateway and sent in the merchant's signed AuthReq.",
  expected:
    "The real gateway refuses with thumbsMismatch (profileBindingMismatch); no authorization, no hold.",
  async run(target) {
    const pki = needFixtures(target);
    const p = adversaryProvider;
    const card = cardData(pki, cardId);
    const merchantCertificate = pki.certificate(merchantSig);
    const transIDs: schema.TransIDs = {
      lid_C: p.random(16),
      lid_M: new Uint8Array(Buffer.from(`rogue-${Date.now().toString(36)}`)),
      xid: p.random(20),
      pReqDate: wholeSeconds(new Date()),
      language: "en",
    };
    const order: RogueOrder = {
      transIDs,
      chall_M: p.random(20),
      od: new Uint8Array(Buffer.from(rogueOrder.description, "utf8")),
      purchAmt: rogueOrder.purchAmt,
      brandID: card.brand,
      bin: card.pan.slice(0, 6),
    };
    const built = await walletPReq(pki, {
      cardId,
      transIDs,
      chall_C: p.random(20),
      chall_M: order.chall_M,
      od: order.od,
      purchAmt: order.purchAmt,
      gatewayKexCertificate: pki.certificate(accomplice),
      merID: merIDOf(merchantCertificate),
      profileBinding: { gatewayCertificate: pki.certificate(accomplice), merchantCertificate },
    });
    const opened = await openAndReseal(pki, built.der, accomplice, realGateway);
    const bound = opened.piHead.profileBinding?.gatewayThumb.thumbprint;
    const accompliceThumb = await thumbOf(p, parseSetCertificate(pki.certificate(accomplice)));
    const xid = toHex(transIDs.xid);
    const watched = { xids: [xid], cardId };
    const before = await snapshot(target, watched);
    const { authReq } = await merchantAuthReq(pki, opened.resealed, order, {
      merchantSignatureId: merchantSig,
      merchantKeyExchangeId: merchantKex,
      gatewayId: realGateway,
    });
    const answer = await readSetAnswer(await postToGateway(target, authReq));
    const changed = changes(before, await snapshot(target, watched));
    const signal = answer.kind === "error" ? answer.code : describeAnswer(answer);
    return verdict(target, {
      refused: signal === "thumbsMismatch",
      refusedBy: "gateway",
      signal,
      changed,
      detail: `PI bound to the accomplice (${bound && toHex(bound) === toHex(accompliceThumb) ? "thumb checked" : "thumb NOT the accomplice's"}); real gateway answered ${describeAnswer(answer)}`,
    });
  },
};

export const gatewaySubstitutionAttacks: readonly Attack[] = [
  substitutionSet,
  substitutionHardenedCard,
  substitutionHardenedGateway,
];
