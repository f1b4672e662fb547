/**
 * Tampering with an AuthReq (digest 6 "Gateway", 7.7): the amount, the merchant's digests, the
 * ties between PIHead and AuthTags, single flipped bytes, and a header that disagrees with the body.
 */
import { encodeDer, schema, toHex } from "@setlab/protocol";
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import { flipByte } from "../toolkit/derSurgery";
import { authorizationsOf, heldOn, postSetRaw } from "../toolkit/gatewayProbe";
import { describe, forgerOf, gatewaySet, sendAndJudge } from "./gatewayVerdict";

export const authReqAmtAbovePurchAmt: Attack = {
  id: "tampering/authreq-amount-above-purchamt",
  category: "tampering",
  title: "The merchant asks for more than the cardholder agreed to (AuthReqAmt 500 for PurchAmt 100).",
  expected: "SET Error (amount check: unspecifiedFailure); no authorization, no hold.",
  async run(target) {
    const req = await forgerOf(target).forge({ amount: 100, authReqAmount: 500 });
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["unspecifiedFailure"] });
  },
};

export const purchAmtChanged: Attack = {
  id: "tampering/authreq-purchamt-changed",
  category: "tampering",
  title: "The merchant raises PurchAmt and recomputes HOD2 and AuthReqAmt for the higher amount.",
  expected: "SET Error signatureFailure (HOD2 differs from PIHead.Inputs.HOD); no authorization.",
  async run(target) {
    const f = forgerOf(target);
    const req = await f.forge({
      amount: 100,
      merchant: async (parts) => {
        const raised = { currency: 392, amount: 900, amtExp10: 0 };
        const item = parts.authReqData.authReqItem;
        item.checkDigests = { hOIData: item.checkDigests!.hOIData, hOD2: await f.hodFor(parts, raised) };
        item.authReqPayload = { ...item.authReqPayload, authReqAmt: raised };
      },
    });
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["signatureFailure"] });
  },
};

/** An AuthReq whose merchant flips one byte of a CheckDigests digest before signing it. */
function checkDigestFlipped(target: AttackTarget, field: "hOIData" | "hOD2", at: number) {
  return forgerOf(target).forge({
    merchant: (parts) => {
      const item = parts.authReqData.authReqItem;
      const cd = item.checkDigests!;
      item.checkDigests = { ...cd, [field]: { ...cd[field], digest: flipByte(cd[field].digest, at) } };
    },
  });
}

export const hOIDataChanged: Attack = {
  id: "tampering/authreq-hoidata-changed",
  category: "tampering",
  title: "The merchant's CheckDigests.HOIData names another order (one digest byte changed).",
  expected: "SET Error signatureFailure (HOIData differs from PI-OILink); no authorization.",
  async run(target) {
    const req = await checkDigestFlipped(target, "hOIData", 0);
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["signatureFailure"] });
  },
};

export const hodChanged: Attack = {
  id: "tampering/authreq-hod-changed",
  category: "tampering",
  title: "The merchant's CheckDigests.HOD2 is changed by one byte.",
  expected: "SET Error signatureFailure (HOD2 differs from PIHead.Inputs.HOD); no authorization.",
  async run(target) {
    const req = await checkDigestFlipped(target, "hOD2", 5);
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["signatureFailure"] });
  },
};

export const piHeadMerchantID: Attack = {
  id: "tampering/pihead-merchantid-other-merchant",
  category: "tampering",
  title:
    "The PI names merchant SETLAB-MER-0002 in PIHead.MerchantID and the lab merchant (SETLAB-MER-0001) forwards it.",
  expected: "AuthRes with AuthCode merchantMismatch (docs/decisions.md); no authorization, no hold.",
  async run(target) {
    const req = await forgerOf(target).forge({ piMerchantID: "SETLAB-MER-0002" });
    return sendAndJudge(target, req.bytes, req.xidHex, { declines: ["merchantMismatch"] });
  },
};

export const authTagsXidChanged: Attack = {
  id: "tampering/authtags-xid-differs-from-pihead",
  category: "tampering",
  title: "The merchant signs AuthTags with another XID than the PIHead.TransIDs the cardholder signed.",
  expected: "SET Error unknownXID; no authorization for either XID.",
  async run(target) {
    const f = forgerOf(target);
    const otherXid = f.p.random(20);
    let piXid = "";
    const req = await f.forge({
      merchant: (parts) => {
        piXid = toHex(parts.transIDs.xid);
        parts.authReqData.authReqItem.authTags.transIDs = { ...parts.transIDs, xid: otherXid };
      },
    });
    const out = await sendAndJudge(target, req.bytes, req.xidHex, { errors: ["unknownXID"] });
    const piRows = await authorizationsOf(target.gatewayUrl, piXid);
    return { ...out, stateUnchanged: out.stateUnchanged && piRows.length === 0 };
  },
};

export const authTagsTransIDsBeyondXid: Attack = {
  id: "tampering/authtags-transids-differ-beyond-xid",
  category: "tampering",
  title:
    "The merchant signs AuthTags whose TransIDs keep the cardholder's XID but carry another LID-C than PIHead.TransIDs.",
  expected: "SET Error unknownLID (the whole TransIDs are compared, not only the XID); no authorization.",
  async run(target) {
    const f = forgerOf(target);
    const req = await f.forge({
      merchant: (parts) => {
        parts.authReqData.authReqItem.authTags.transIDs = { ...parts.transIDs, lid_C: f.p.random(8) };
      },
    });
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["unknownLID"] });
  },
};

export const authRRTagsMerchantID: Attack = {
  id: "tampering/authrrtags-merchantid-not-signer",
  category: "tampering",
  title:
    "The lab merchant claims merID SETLAB-MER-0002 in AuthRRTags (and in the PI it got the cardholder to make).",
  expected:
    "AuthRes with AuthCode merchantMismatch: the claimed merID is not the signing certificate's; no authorization.",
  async run(target) {
    const req = await forgerOf(target).forge({ merID: "SETLAB-MER-0002" });
    return sendAndJudge(target, req.bytes, req.xidHex, { declines: ["merchantMismatch"] });
  },
};

export const headerDisagrees: Attack = {
  id: "tampering/authreq-header-disagrees",
  category: "tampering",
  title: "The MessageWrapper header carries another XID than the AuthReq's protected AuthTags.",
  expected: "SET Error wrapperMsgMismatch; no authorization.",
  async run(target) {
    const f = forgerOf(target);
    const req = await f.forge({ header: (ids) => ({ ...ids, xid: f.p.random(20) }) });
    return sendAndJudge(target, req.bytes, req.xidHex, { errors: ["wrapperMsgMismatch"] });
  },
};

/** Offsets spread over the AuthReq body (after the MessageWrapper header), the same each run. */
function sampleOffsets(bodyStart: number, length: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(bodyStart + Math.floor(((i + 0.5) * (length - bodyStart)) / n));
  return out;
}

/** Where the message (after the header) starts in a MessageWrapper: SEQ { header, [0] message, ... }. */
function bodyStartOf(bytes: Uint8Array): number {
  const headerLen = encodeDer(schema.MessageHeader, schema.decodeMessage(bytes).messageHeader).length;
  const first = bytes[1]! & 0x80 ? 2 + (bytes[1]! & 0x7f) : 2;
  return first + headerLen;
}

export const flippedBytes: Attack = {
  id: "tampering/authreq-flipped-byte",
  category: "tampering",
  title:
    "A man in the middle flips one byte of an answered AuthReq's body, at 16 offsets spread over the message, and sends each copy.",
  expected:
    "Each copy is refused with a SET Error, or (a byte outside everything signed) gets the stored AuthRes of the genuine request; never a new authorization or hold.",
  async run(target): Promise<AttackOutcome> {
    const f = forgerOf(target);
    const req = await f.forge();
    const genuine = await postSetRaw(gatewaySet(target), req.bytes);
    const genuineAnswer = await f.read(genuine.body);
    if (genuineAnswer.type !== "authRes")
      throw new Error(`the genuine AuthReq was not answered: ${describe(genuineAnswer)}`);
    const heldBefore = await heldOn(target.gatewayUrl, "visa-approve");
    const offsets = sampleOffsets(bodyStartOf(req.bytes), req.bytes.length, 16);
    const seen: string[] = [];
    let refusedOrStored = true;
    let stored = 0;
    for (const at of offsets) {
      const raw = await postSetRaw(gatewaySet(target), flipByte(req.bytes, at, 0x10));
      if (raw.status === 200 && Buffer.from(raw.body).equals(Buffer.from(genuine.body))) {
        stored++;
        seen.push(`@${at}:stored AuthRes`);
        continue;
      }
      const answer = await f.read(raw.body);
      if (answer.type !== "error") refusedOrStored = false;
      seen.push(`@${at}:${answer.type === "error" ? answer.code : describe(answer)}`);
    }
    const rows = await authorizationsOf(target.gatewayUrl, req.xidHex);
    const heldAfter = await heldOn(target.gatewayUrl, "visa-approve");
    return {
      refused: refusedOrStored,
      refusedBy: "gateway",
      signal: [...new Set(seen.map((s) => s.split(":")[1]))].join(","),
      stateUnchanged: rows.length === 1 && heldAfter === heldBefore,
      detail: `${offsets.length} flips: ${seen.join(" ")}; ${stored} got the stored AuthRes (the byte lies outside what is signed); ${rows.length} authorization row(s), hold ${heldBefore} -> ${heldAfter}`,
    };
  },
};

export const tamperingAttacks: readonly Attack[] = [
  authReqAmtAbovePurchAmt,
  purchAmtChanged,
  hOIDataChanged,
  hodChanged,
  piHeadMerchantID,
  authTagsXidChanged,
  authTagsTransIDsBeyondXid,
  authRRTagsMerchantID,
  headerDisagrees,
  flippedBytes,
];
