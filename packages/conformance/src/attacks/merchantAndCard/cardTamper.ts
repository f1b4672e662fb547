/**
 * One byte anywhere in the messages the card checks (digest 6, cardholder): the PC flips a byte
 * of the merchant's PInitRes, or of its PRes, at sampled offsets of each position class before
 * handing it to the card. The protected header ids, the signed body and the signature value are
 * sampled; the header's date and software id are outside every signature and every check, so
 * they are left out. Each altered copy must be refused (a status word other than 9000), and the
 * genuine message afterwards accepted, so each refusal was for its flip.
 */
import type { Attack, AttackTarget } from "../attack";
import {
  carriedCertificates,
  describeOffset,
  flipByte,
  positionClasses,
  sampleOffsets,
  tlvTree,
  withCertificateSetsSorted,
} from "../toolkit/der";
import { createOrder, fetchInitiation, postRaw } from "../toolkit/labHttp";
import { completionCodeOf, describeCardAnswer, RogueCard, SW_OK } from "../toolkit/rogueCard";
import { preparePReq } from "../toolkit/roguePc";
import { watch } from "../toolkit/stateWitness";
import { verdict } from "../toolkit/verdict";

const CONTEXT_CLASS = 0x80 * 0x100_0000;

/** Offsets to flip in a MessageWrapper: protected header ids, signed body, signature values. */
export function cardFlipPlan(
  wrapper: Uint8Array,
  rand: () => number,
  perClass: { header: number; body: number; signature: number },
): { cls: string; at: number }[] {
  const classes = positionClasses(wrapper);
  const header = tlvTree(wrapper).children[0];
  const ids = header.children.filter((c, i) => i === 0 || c.tag >= CONTEXT_CLASS);
  const headerOffsets = ids
    .flatMap((c) => sampleOffsets([c.contentStart, c.end], Math.ceil(perClass.header / ids.length), rand))
    .slice(0, perClass.header);
  const body = sampleOffsets(classes.body, perClass.body, rand, classes.signature);
  const signature = classes.signature.flatMap((range) =>
    sampleOffsets(range, Math.ceil(perClass.signature / classes.signature.length), rand),
  );
  return [
    ...headerOffsets.map((at) => ({ cls: "header", at })),
    ...body.map((at) => ({ cls: "body", at })),
    ...signature.slice(0, perClass.signature).map((at) => ({ cls: "signature", at })),
  ];
}

const approveCard = "visa-approve";

/** A fresh order and a fresh card transaction: the card's PInitReq and the merchant's genuine PInitRes. */
async function freshPInitRes(target: AttackTarget, card: RogueCard, brand: string) {
  const order = await createOrder(target, { amount: 100 });
  const initiation = await fetchInitiation(target, order.id);
  const init = await card.pInitRequest({ lidM: initiation.lidM, language: initiation.language, brand });
  if (init.sw !== SW_OK) throw new Error(`PINIT_REQUEST answered ${describeCardAnswer(init)}`);
  const answer = await postRaw(initiation.setUrl, init.data);
  return { order, initiation, pInitRes: answer.bytes };
}

export const pInitResByteFlips: Attack = {
  id: "tampering/pinitres-byte-flips",
  category: "tampering",
  title:
    "The PC flips one byte of the merchant's PInitRes at sampled offsets (header ids, signed body, signature value) before the card sees it, one transaction per flip.",
  expected:
    "The card refuses every altered PInitRes (6F00 or another refusal) and will not PURCHASE; the genuine PInitRes afterwards is accepted.",
  async run(target, random) {
    const card = await RogueCard.connect(target);
    try {
      const { brand } = await card.open(approveCard, target.pin);
      const sample = await freshPInitRes(target, card, brand);
      const plan = cardFlipPlan(sample.pInitRes, random.next, { header: 2, body: 6, signature: 2 });
      const { result, changed } = await watch(target, { xids: [], cardId: approveCard }, async () => {
        const accepted: string[] = [];
        const codes = new Map<string, number>();
        for (const { cls, at } of plan) {
          // Every flip needs the card's own fresh challenge: a new order and a new transaction.
          const fresh = await freshPInitRes(target, card, brand);
          const altered = flipByte(fresh.pInitRes, Math.min(at, fresh.pInitRes.length - 1));
          const answer = await card.pInitResponse(altered);
          const said = describeCardAnswer(answer);
          codes.set(said, (codes.get(said) ?? 0) + 1);
          if (answer.sw === SW_OK) accepted.push(`${cls}@${at} [${describeOffset(fresh.pInitRes, at)}]`);
        }
        const control = await freshPInitRes(target, card, brand);
        const genuine = await card.pInitResponse(control.pInitRes);
        return { accepted, codes, genuine };
      });
      const signal = [...result.codes.entries()].map(([c, n]) => `${c} x${n}`).join(", ");
      return verdict(target, {
        refused: result.accepted.length === 0 && result.genuine.sw === SW_OK,
        refusedBy: "card",
        signal,
        changed,
        detail:
          `${plan.length} flips (seed ${random.runSeed}); ` +
          `${result.accepted.length === 0 ? "all refused" : `ACCEPTED: ${result.accepted.join("; ")}`}; ` +
          `genuine PInitRes afterwards: ${describeCardAnswer(result.genuine)}`,
      });
    } finally {
      await card.close();
    }
  },
};

export const pResByteFlips: Attack = {
  id: "tampering/pres-byte-flips",
  category: "tampering",
  title:
    "The PC flips one byte of the merchant's PRes at sampled offsets (header ids, signed body, signature value) before the card sees it.",
  expected:
    "The card refuses every altered PRes (6F00) and keeps waiting; the genuine PRes afterwards is accepted.",
  async run(target, random) {
    const prepared = await preparePReq(target, { amount: 100 });
    try {
      const answer = await postRaw(`${target.merchantUrl}/set`, prepared.pReq);
      const pRes = answer.bytes;
      const plan = cardFlipPlan(pRes, random.next, { header: 2, body: 8, signature: 2 });
      const { result, changed } = await watch(
        target,
        { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
        async () => {
          const accepted: string[] = [];
          const codes = new Map<string, number>();
          for (const { cls, at } of plan) {
            const r = await prepared.card.purchaseResponse(flipByte(pRes, at));
            const said = describeCardAnswer(r);
            codes.set(said, (codes.get(said) ?? 0) + 1);
            if (r.sw === SW_OK) accepted.push(`${cls}@${at} [${describeOffset(pRes, at)}]`);
          }
          return { accepted, codes, genuine: await prepared.card.purchaseResponse(pRes) };
        },
      );
      const signal = [...result.codes.entries()].map(([c, n]) => `${c} x${n}`).join(", ");
      const outcome = { completionCode: completionCodeOf(result.genuine.data) };
      return verdict(target, {
        refused:
          result.accepted.length === 0 &&
          result.genuine.sw === SW_OK &&
          outcome.completionCode === "authorizationPerformed",
        refusedBy: "card",
        signal,
        changed,
        detail:
          `${plan.length} flips (seed ${random.runSeed}); ` +
          `${result.accepted.length === 0 ? "all refused" : `ACCEPTED: ${result.accepted.join("; ")}`}; ` +
          `genuine PRes afterwards: ${describeCardAnswer(result.genuine)} ${outcome.completionCode ?? ""}`,
      });
    } finally {
      await prepared.card.close();
    }
  },
};

/**
 * Copies of the PRes, each with one byte flipped in the issuer name of one certificate it carries
 * (the last byte of that Name, so the certificate still parses), the certificate set put back in
 * DER order. The certificates lie outside the merchant's signature. The signer's own copy no
 * longer matches the SignerInfo's issuer and serial number, so a card that finds the signer among
 * the certificates it already holds could overlook the altered one.
 */
function corruptCarriedCertificates(pRes: Uint8Array): Uint8Array[] {
  const carried = carriedCertificates(pRes);
  if (carried.length === 0) throw new Error("the PRes carries no certificate");
  return carried.map(([start, end]) => {
    const issuer = tlvTree(pRes.subarray(start, end)).children[0]?.children[3];
    if (!issuer) throw new Error("unexpected certificate layout");
    return withCertificateSetsSorted(flipByte(pRes, start + issuer.end - 1));
  });
}

export const pResCorruptedCarriedCertificate: Attack = {
  id: "tampering/pres-corrupted-carried-certificate",
  category: "tampering",
  title:
    "The PC flips one byte in the issuer name of a certificate the merchant's PRes carries (the signed content and the signature untouched, the certificate set still in DER order) before the card sees it, one altered copy per carried certificate, the merchant's own included.",
  expected:
    "The card refuses the PRes (6F00): a carried certificate that is not the one it validated is refused; the genuine PRes afterwards is accepted.",
  async run(target) {
    const prepared = await preparePReq(target, { amount: 100 });
    try {
      const pRes = (await postRaw(`${target.merchantUrl}/set`, prepared.pReq)).bytes;
      const forgeries = corruptCarriedCertificates(pRes);
      const { result, changed } = await watch(
        target,
        { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
        async () => {
          const answers = [];
          for (const forged of forgeries) answers.push(await prepared.card.purchaseResponse(forged));
          return { answers, genuine: await prepared.card.purchaseResponse(pRes) };
        },
      );
      const said = result.answers.map(describeCardAnswer);
      return verdict(target, {
        refused: result.answers.every((a) => a.sw !== SW_OK) && result.genuine.sw === SW_OK,
        refusedBy: "card",
        signal: [...new Set(said)].join(", "),
        changed,
        detail: `${forgeries.length} altered PRes: ${said.join("; ")}; genuine PRes afterwards: ${describeCardAnswer(result.genuine)}`,
      });
    } finally {
      await prepared.card.close();
    }
  },
};

export const cardTamperAttacks: readonly Attack[] = [
  pInitResByteFlips,
  pResByteFlips,
  pResCorruptedCarriedCertificate,
];
