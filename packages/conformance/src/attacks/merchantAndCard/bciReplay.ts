/**
 * Old revocation status replayed to the card (digest 1.6, 6 "Certificates"): the brand's CA has
 * published a newer BrandCRLIdentifier, and the card has seen it in a PInitRes. A rogue merchant,
 * say one revoked since, answers the next PInitReq with the previous BCI and the CRLs it names:
 * genuine, signed by the brand CA and still within its 7 days, so only its age tells. The card
 * must refuse it (6F00 invalidCertificate, a superseded BCI) before it signs anything.
 *
 * Set-up as the CA operator: `set-ca bci` publishes the newer BCI into the lab's PKI directory
 * (the running merchant and gateway take it within their poll interval; the attack waits for the
 * merchant, so the attacks after it meet a lab whose PInitRes carries what the card now expects).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { encodeCardData, INS, toHex } from "@setlab/protocol";
import { LabPki, readLabPkiManifest } from "@setlab/runtime";
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import { describeCardAnswer, RogueCard, SW_OK, SW_SET_CHECK_FAILED, setCodeOf } from "../toolkit/rogueCard";
import { craftPInitRes } from "../toolkit/roguePInitRes";
import { rogueOrder } from "../toolkit/rogueShop";
import { changes, snapshot } from "../toolkit/stateWitness";
import { verdict } from "../toolkit/verdict";

const caCli = path.join(path.dirname(require.resolve("@setlab/ca/package.json")), "dist", "cli.js");
const recipe = { signerId: "visa/merchant/signature", gatewayId: "visa/gateway/key-exchange" };

/** The newest Visa BCI sequenceNum the merchant's log says is in force. */
function merchantHas(home: string): number {
  let text = "";
  try {
    text = fs.readFileSync(path.join(home, "logs", "merchant.log"), "utf8");
  } catch {
    return -1;
  }
  let found = -1;
  for (const line of text.split("\n"))
    if (line.includes('"revocationLoaded"'))
      try {
        found = (JSON.parse(line) as { bciSequence?: { Visa?: number } }).bciSequence?.Visa ?? found;
      } catch {
        // a line still being written
      }
  return found;
}

async function replayOldBci(target: AttackTarget): Promise<AttackOutcome> {
  const old = LabPki.open(target.pki).bci("Visa");
  if (!old) throw new Error("the lab PKI has no Visa BCI");
  execFileSync(process.execPath, [caCli, "bci", "--dir", target.pki, "--brand", "Visa"], { stdio: "ignore" });
  const pki = LabPki.open(target.pki);
  const newest = pki.bci("Visa")!;
  const newestNum = readLabPkiManifest(target.pki)
    .bcis.filter((b) => b.brand === "Visa")
    .at(-1)!.sequenceNum;
  let xid: string | undefined;
  const watched = () => ({ xids: xid ? [xid] : [], cardId: "visa-approve" });
  const before = await snapshot(target, watched());
  const card = await RogueCard.connect(target);
  let story: string;
  let refused: boolean;
  let cardCode: string | undefined;
  try {
    const { brand } = await card.open("visa-approve", target.pin);
    const pInitReq = () =>
      card.must(
        INS.PINIT_REQUEST,
        encodeCardData("PInitRequestInput", {
          brand,
          lidM: `rogue-${Date.now().toString(36)}`,
          language: "en",
        }),
      );
    // The card meets the newer BCI first, as from any genuine merchant after the publication.
    const current = await card.pInitResponse(
      (await craftPInitRes(pki, await pInitReq(), { ...recipe, bci: newest })).der,
    );
    if (current.sw !== SW_OK)
      throw new Error(`the card refused the current BCI during set-up: ${describeCardAnswer(current)}`);
    const replayed = await craftPInitRes(pki, await pInitReq(), { ...recipe, bci: old });
    xid = toHex(replayed.data.transIDs.xid);
    const answer = await card.pInitResponse(replayed.der);
    const purchase = await card.purchase({
      od: Buffer.from(rogueOrder.description).toString("base64"),
      purchAmt: rogueOrder.purchAmt,
      profile: "set",
      form: "dualSigned",
    });
    cardCode = answer.sw === SW_SET_CHECK_FAILED ? setCodeOf(answer) : undefined;
    refused = cardCode === "invalidCertificate" && purchase.sw !== SW_OK;
    story = `current BCI accepted; old BCI: PINIT_RESPONSE ${describeCardAnswer(answer)}, then PURCHASE ${describeCardAnswer(purchase)}`;
  } finally {
    await card.close();
  }
  await merchantCarries(target, newestNum);
  const after = await snapshot(target, watched());
  return verdict(target, {
    refused,
    refusedBy: "card",
    signal: cardCode ? `6F00 ${cardCode}` : "accepted",
    changed: changes(before, after),
    detail: story,
  });
}

/** Wait (bounded) until the merchant's PInitRes carries the newest BCI, so the next attack meets a settled lab. */
async function merchantCarries(target: AttackTarget, sequenceNum: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (merchantHas(target.home) < sequenceNum && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
}

export const oldBciReplay: Attack = {
  id: "replay/old-bci-to-card",
  category: "replay",
  title:
    "A rogue merchant replays the brand's previous BrandCRLIdentifier (genuine, within its validity, with its CRLs) to a card that has seen a newer one.",
  expected:
    "The card refuses PInitRes with 6F00 invalidCertificate (a superseded BCI) before signing anything; no PReq, no authorization.",
  run: (target) => replayOldBci(target),
};
