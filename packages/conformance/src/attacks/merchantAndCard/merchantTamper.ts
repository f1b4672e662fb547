/**
 * Tampering at the merchant (digest 7.7, 6 "Merchant"): the PC changes what it relays. OIData is
 * bound by the dual signature and by the HOD the merchant recomputes from its own order; the
 * header's ids must equal the protected ones. Every altered PReq must be refused, and none may
 * lead to an authorization. The flips end with the genuine PReq, which must still be authorized:
 * the refusals were for the tampering, not for a dead order.
 */
import { computeHOD, schema } from "@setlab/protocol";
import type { Attack, AttackTarget } from "../attack";
import type { AttackRandom } from "../attackRandom";
import {
  carriedCaCertificates,
  describeOffset,
  flipByte,
  indexOfBytes,
  positionClasses,
  sampleOffsets,
  signedDataDigestAlgorithms,
  tlvTree,
} from "../toolkit/der";
import { authorizationsFor, postToMerchant } from "../toolkit/labHttp";
import { altered, readPReq, rewrapHeader, rewritePReq } from "../toolkit/messages";
import { completePurchase, type PreparedPReq, preparePReq } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer, type SetAnswer } from "../toolkit/setAnswer";
import { changes, snapshot, watch } from "../toolkit/stateWitness";
import { adversaryProvider } from "../toolkit/stolenKeys";
import { verdict } from "../toolkit/verdict";

const signalOf = (a: SetAnswer) => (a.kind === "error" ? a.code : describeAnswer(a));

/** Post one altered PReq of a prepared purchase and judge the merchant's answer. */
async function refusedAtMerchant(
  target: AttackTarget,
  prepared: PreparedPReq,
  altered: Uint8Array,
  expected: readonly string[],
  what: string,
) {
  const { result, changed } = await watch(
    target,
    { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
    async () => readSetAnswer(await postToMerchant(target, altered)),
  );
  const signal = signalOf(result);
  return verdict(target, {
    refused: result.kind === "error" && expected.includes(signal),
    refusedBy: "merchant",
    signal,
    changed,
    detail: `${what}: merchant answered ${describeAnswer(result)}`,
  });
}

function tamperAttack(
  id: string,
  title: string,
  expected: readonly string[],
  alter: (prepared: PreparedPReq) => Promise<Uint8Array> | Uint8Array,
): Attack {
  return {
    id,
    category: "tampering",
    title,
    expected: `The merchant refuses with ${expected.join(" or ")}; the order stays initiated, no authorization.`,
    async run(target) {
      const prepared = await preparePReq(target);
      try {
        return await refusedAtMerchant(target, prepared, await alter(prepared), expected, id);
      } finally {
        await prepared.card.close();
      }
    },
  };
}

const dual = (der: Uint8Array) => {
  const { pReq } = readPReq(der);
  if (pReq.type !== "pReqDualSigned") throw new Error("not dual-signed");
  return pReq.value;
};

export const odSaltChanged = tamperAttack(
  "tampering/oidata-odsalt",
  "The PC changes ODSalt in the PReq's OIData.",
  ["signatureFailure"],
  (p) =>
    rewritePReq(p.pReq, (v) => ({
      ...v,
      oiDualSigned: {
        ...v.oiDualSigned,
        oiData: { ...v.oiDualSigned.oiData, odSalt: altered(v.oiDualSigned.oiData.odSalt) },
      },
    })),
);

export const hodForOtherAmount = tamperAttack(
  "tampering/oidata-hod-other-amount",
  "The PC replaces OIData's HOD by the digest of the same order description at a tenth of the amount.",
  ["signatureFailure"],
  async (p) => {
    const od = new Uint8Array(Buffer.from(p.initiation.od, "base64"));
    const purchAmt = {
      ...p.initiation.purchAmt,
      amount: Math.max(1, Math.floor(p.initiation.purchAmt.amount / 10)),
    };
    const oiData = dual(p.pReq).oiDualSigned.oiData;
    const hod = await computeHOD(adversaryProvider, { od, purchAmt, odSalt: oiData.odSalt });
    return rewritePReq(p.pReq, (v) => ({
      ...v,
      oiDualSigned: { ...v.oiDualSigned, oiData: { ...v.oiDualSigned.oiData, hod } },
    }));
  },
);

export const hPIDataChanged = tamperAttack(
  "tampering/oidualsigned-hpidata",
  "The PC changes the digest of PIData (the PIHead-side half of the dual signature) that the merchant sees in OIDualSigned.",
  ["signatureFailure"],
  (p) =>
    rewritePReq(p.pReq, (v) => {
      const h = v.oiDualSigned.hPIData;
      return { ...v, oiDualSigned: { ...v.oiDualSigned, hPIData: { ...h, digest: altered(h.digest) } } };
    }),
);

export const wrapperXidMismatch = tamperAttack(
  "tampering/wrapper-xid-mismatch",
  "The PC changes the XID in the PReq's MessageWrapper header, leaving the signed body alone.",
  ["wrapperMsgMismatch", "unknownXID"],
  (p) => rewrapHeader(p.pReq, (ids) => ({ ...ids, xid: ids.xid ? altered(ids.xid) : undefined })),
);

export const wrapperRrpidMismatch = tamperAttack(
  "tampering/wrapper-rrpid-mismatch",
  "The PC changes the RRPID in the PReq's MessageWrapper header, leaving the signed body alone.",
  ["wrapperMsgMismatch"],
  (p) => rewrapHeader(p.pReq, (ids) => ({ ...ids, rrpid: ids.rrpid ? altered(ids.rrpid) : undefined })),
);

export const staleHeaderDate = tamperAttack(
  "replay/preq-stale-header-date",
  "The PC re-dates the PReq's MessageWrapper header 400 days back (the signed body untouched).",
  ["messageTooOld"],
  (p) => {
    const w = schema.decodeMessage(p.pReq);
    return schema.encodeMessage({
      ...w,
      messageHeader: {
        ...w.messageHeader,
        date: new Date(w.messageHeader.date.getTime() - 400 * 86_400_000),
      },
    });
  },
);

/** One byte flipped inside the subject name of the last CA certificate the PReq carries. */
function corruptLastCaCertificate(pReq: Uint8Array): Uint8Array {
  const cas = carriedCaCertificates(pReq);
  const last = cas[cas.length - 1];
  if (!last) throw new Error("the PReq carries no CA certificate");
  const cert = tlvTree(pReq.subarray(last[0], last[1]));
  const subject = cert.children[0]?.children[5];
  if (!subject) throw new Error("unexpected certificate layout");
  return flipByte(pReq, last[0] + subject.end - 1);
}

const caExpected = ["invalidCertificate", "signatureFailure", "decodingFailure"];

export const corruptedCaCertificate: Attack = {
  id: "tampering/preq-corrupted-ca-certificate",
  category: "tampering",
  title:
    "After one genuine purchase with the card, the PC flips one byte inside the subject name of a CA certificate the next PReq's dual signature carries (the cardholder's leaf and the signature untouched).",
  expected: `The merchant refuses with ${caExpected.join(" or ")} (the carried chain does not verify); no authorization.`,
  async run(target) {
    // A genuine purchase first: the parties have then seen (and may cache) this cardholder's chain.
    const warm = await completePurchase(target);
    await warm.card.close();
    const prepared = await preparePReq(target);
    try {
      return await refusedAtMerchant(
        target,
        prepared,
        corruptLastCaCertificate(prepared.pReq),
        caExpected,
        "tampering/preq-corrupted-ca-certificate (after a genuine purchase)",
      );
    } finally {
      await prepared.card.close();
    }
  },
};

export const digestAlgorithmsChanged = tamperAttack(
  "tampering/preq-signeddata-digest-algorithms",
  "The PC flips one byte of the digest algorithm OID listed in the dual signature's SignedData.digestAlgorithms (outside the signed bytes).",
  ["decodingFailure", "signatureFailure", "unspecifiedFailure"],
  (p) => {
    const [set] = signedDataDigestAlgorithms(p.pReq);
    if (!set) throw new Error("the PReq carries no SignedData");
    const oid = tlvTree(p.pReq.subarray(set[0], set[1])).children[0]?.children[0];
    if (!oid) throw new Error("empty digestAlgorithms");
    return flipByte(p.pReq, set[0] + oid.end - 1);
  },
);

const CONTEXT_CLASS = 0x80 * 0x100_0000;

/** Sampled one-byte flips per position class: header ids and version, body, signature value. */
export function flipPlan(
  pReq: Uint8Array,
  rand: () => number,
  perClass: { header: number; body: number; signature: number },
) {
  const classes = positionClasses(pReq);
  const { pReq: value } = readPReq(pReq);
  if (value.type !== "pReqDualSigned") throw new Error("not dual-signed");
  // The PI envelope is opaque to the merchant (only the gateway can check it): kept out of the plan.
  const envelopeAt = indexOfBytes(pReq, value.value.piDualSigned.exPIData);
  const envelope: [number, number][] =
    envelopeAt < 0 ? [] : [[envelopeAt, envelopeAt + value.value.piDualSigned.exPIData.length]];
  const header = tlvTree(pReq).children[0];
  const protectedHeader = header.children.filter((c, i) => i === 0 || c.tag >= CONTEXT_CLASS);
  const headerOffsets = protectedHeader.flatMap((c) =>
    sampleOffsets([c.contentStart, c.end], Math.ceil(perClass.header / protectedHeader.length), rand),
  );
  // Carried CA certificates and SignedData.digestAlgorithms have their own attacks.
  const caCertificates = [...carriedCaCertificates(pReq), ...signedDataDigestAlgorithms(pReq)];
  return {
    header: headerOffsets.slice(0, perClass.header),
    body: sampleOffsets(classes.body, perClass.body, rand, [
      ...classes.signature,
      ...envelope,
      ...caCertificates,
    ]),
    signature: classes.signature.flatMap((r) => sampleOffsets(r, perClass.signature, rand)),
  };
}

export const preqByteFlips: Attack = {
  id: "tampering/preq-byte-flips",
  category: "tampering",
  title:
    "The PC flips one byte of the PReq at sampled offsets of each position class (header ids and version, OIData and the other signed body, the dual signature's value), one altered copy per offset.",
  expected:
    "Every copy is refused with a SET Error (decodingFailure, wrapperMsgMismatch, signatureFailure, ...); none authorizes; the genuine PReq afterwards is authorized.",
  run: runByteFlips,
};

async function runByteFlips(target: AttackTarget, random: AttackRandom) {
  const prepared = await preparePReq(target);
  try {
    const plan = flipPlan(prepared.pReq, random.next, { header: 4, body: 8, signature: 3 });
    const watched = { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId };
    const before = await snapshot(target, watched);
    const codes = new Map<string, number>();
    const accepted: string[] = [];
    for (const [cls, offsets] of Object.entries(plan))
      for (const at of offsets) {
        const answer = await readSetAnswer(await postToMerchant(target, flipByte(prepared.pReq, at)));
        const signal = signalOf(answer);
        codes.set(signal, (codes.get(signal) ?? 0) + 1);
        if (answer.kind !== "error")
          accepted.push(`${cls}@${at} [${describeOffset(prepared.pReq, at)}]: ${describeAnswer(answer)}`);
      }
    const after = await snapshot(target, watched);
    const changed = changes(before, after);
    // Control: the genuine PReq is still taken, so each refusal was for its flip.
    const control = await readSetAnswer(await postToMerchant(target, prepared.pReq));
    const controlOk = control.kind === "message" && control.type === "purchaseResponse";
    const approved = (await authorizationsFor(target, prepared.xid)).filter(
      (a) => a.authCode === "approved",
    ).length;
    const total = plan.header.length + plan.body.length + plan.signature.length;
    const signal = [...codes.entries()].map(([c, n]) => `${c} x${n}`).join(", ");
    return verdict(target, {
      refused: accepted.length === 0 && controlOk && approved === 1,
      refusedBy: "merchant",
      signal,
      changed,
      detail:
        `${total} flips (seed ${random.runSeed}: header ${plan.header.length}, body ${plan.body.length}, signature ${plan.signature.length}); ` +
        `${accepted.length === 0 ? "all refused" : `ACCEPTED: ${accepted.join("; ")}`}; ` +
        `genuine PReq afterwards: ${describeAnswer(control)}, ${approved} approved authorization(s)`,
    });
  } finally {
    await prepared.card.close();
  }
}

export const merchantTamperAttacks: readonly Attack[] = [
  odSaltChanged,
  hodForOtherAmount,
  hPIDataChanged,
  wrapperXidMismatch,
  wrapperRrpidMismatch,
  staleHeaderDate,
  corruptedCaCertificate,
  digestAlgorithmsChanged,
  preqByteFlips,
];
