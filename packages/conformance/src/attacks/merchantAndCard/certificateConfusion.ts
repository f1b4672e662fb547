/**
 * Certificate confusion at the card (digest 7.8, 6 "Cardholder/wallet"): a rogue merchant answers
 * the card's PInitReq with a PInitRes signed or built with the wrong certificates. The card must
 * refuse PInitRes (6F00 with the SET ErrorCode) before it signs anything: no PReq reaches the shop,
 * so the PAN never leaves the card. Two of them run the real mediator program against the rogue
 * shop; the others relay command by command over the card link (the same checks, faster).
 */

import { encodeCardData, INS, toHex } from "@setlab/protocol";
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import { describeCardAnswer, RogueCard, SW_OK, SW_SET_CHECK_FAILED, setCodeOf } from "../toolkit/rogueCard";
import { craftPInitRes, type PInitResRecipe } from "../toolkit/roguePInitRes";
import { rogueOrder, shopAtRogue } from "../toolkit/rogueShop";
import { changes, snapshot } from "../toolkit/stateWitness";
import { hasEntry, openPki } from "../toolkit/stolenKeys";
import { verdict } from "../toolkit/verdict";

/**
 * The card refused PINIT_RESPONSE and the shop never got a PReq. `via: "mediator"` runs the real
 * mediator program against the rogue shop; `via: "pc"` (faster) has the PC relay the same way
 * command by command over the card link.
 */
export async function cardRefusesPInitRes(
  target: AttackTarget,
  recipe: PInitResRecipe,
  expected: readonly string[],
  options: { profile?: "set" | "hardened"; via?: "mediator" | "pc" } = {},
): Promise<AttackOutcome> {
  const pki = openPki(target.pki);
  for (const id of [recipe.signerId, recipe.gatewayId])
    if (!hasEntry(pki, id)) throw new Error(`the lab PKI has no ${id} (set-ca init without attack fixtures)`);
  let xid: string | undefined;
  const watched = () => ({ xids: xid ? [xid] : [], cardId: "visa-approve" });
  const before = await snapshot(target, watched());
  const craft = async (der: Uint8Array) => {
    const crafted = await craftPInitRes(pki, der, recipe);
    xid = toHex(crafted.data.transIDs.xid);
    return crafted.der;
  };
  let pReqs: number;
  let cardCode: string | undefined;
  let refusedAtPInit: boolean;
  let story: string;
  if (options.via === "mediator") {
    const visit = await shopAtRogue(target, { onPInitReq: craft }, options);
    pReqs = visit.pReqs.length;
    cardCode = visit.cardCode;
    refusedAtPInit = visit.refusedCommand === "PINIT_RESPONSE";
    story = `mediator ${visit.mediator.outcome?.outcome ?? `exit ${visit.mediator.exitCode}`}: ${visit.mediator.outcome?.reason ?? "no reason"}`;
  } else {
    const card = await RogueCard.connect(target);
    try {
      const { brand } = await card.open("visa-approve", target.pin);
      const pInitReq = await card.must(
        INS.PINIT_REQUEST,
        encodeCardData("PInitRequestInput", {
          brand,
          lidM: `rogue-${Date.now().toString(36)}`,
          language: "en",
        }),
      );
      const answer = await card.pInitResponse(await craft(pInitReq));
      const purchase = await card.purchase({
        od: Buffer.from(rogueOrder.description).toString("base64"),
        purchAmt: rogueOrder.purchAmt,
        profile: options.profile ?? "set",
        form: "dualSigned",
      });
      pReqs = purchase.sw === SW_OK ? 1 : 0;
      cardCode = answer.sw === SW_SET_CHECK_FAILED ? setCodeOf(answer) : undefined;
      refusedAtPInit = answer.sw !== SW_OK;
      story = `PINIT_RESPONSE ${describeCardAnswer(answer)}, then PURCHASE ${describeCardAnswer(purchase)}`;
    } finally {
      await card.close();
    }
  }
  const after = await snapshot(target, watched());
  const changed = changes({ ...before, authorizations: 0, approved: 0 }, after);
  return verdict(target, {
    refused: pReqs === 0 && refusedAtPInit && cardCode !== undefined && expected.includes(cardCode),
    refusedBy: "card",
    signal: cardCode ? `6F00 ${cardCode}` : "accepted",
    changed,
    detail: `${story}; PReqs at the rogue shop: ${pReqs}`,
  });
}

function certificateAttack(
  id: string,
  title: string,
  recipe: PInitResRecipe,
  expected: readonly string[],
  via: "mediator" | "pc" = "pc",
): Attack {
  return {
    id,
    category: "certificate",
    title,
    expected: `The card refuses PInitRes with 6F00 ${expected.join(" or ")} before signing anything; no PReq, no authorization.`,
    run: (target) => cardRefusesPInitRes(target, recipe, expected, { via }),
  };
}

const merchant = "visa/merchant/signature";
const gateway = "visa/gateway/key-exchange";

export const merchantSignatureAsGatewayKex = certificateAttack(
  "certificate/merchant-signature-as-gateway-kex",
  "A rogue merchant offers its own signature certificate as the gateway's key-exchange certificate (PEThumb names it).",
  { signerId: merchant, gatewayId: merchant },
  ["invalidCertificate", "thumbsMismatch"],
  "mediator",
);

export const cardholderSignsPInitRes = certificateAttack(
  "certificate/cardholder-signs-pinitres",
  "A PInitRes signed with a cardholder's certificate and key instead of a merchant's.",
  { signerId: "visa/cards/visa-approve", gatewayId: gateway },
  ["invalidCertificate"],
);

export const crossBrandGateway = certificateAttack(
  "certificate/cross-brand-gateway",
  "A Visa purchase offered the MasterCard gateway's (valid) key-exchange certificate.",
  { signerId: merchant, gatewayId: "mastercard/gateway/key-exchange" },
  ["invalidCertificate"],
);

const validity = (
  party: "merchant" | "gateway",
  kind: "expired" | "future" | "revoked",
  expected: readonly string[],
  revocation = true,
) =>
  certificateAttack(
    `certificate/${party}-${kind}${revocation ? "" : "-without-crls"}`,
    `A PInitRes ${party === "merchant" ? "signed with a" : "offering a"} ${kind === "future" ? "not yet valid" : kind} ${party} certificate${revocation ? "" : ", the brand's BCI and CRLs left out"}.`,
    party === "merchant"
      ? { signerId: `attack/visa/merchant-${kind}/signature`, gatewayId: gateway, revocation }
      : { signerId: merchant, gatewayId: `attack/visa/gateway-${kind}/key-exchange`, revocation },
    expected,
  );

export const merchantExpired = validity("merchant", "expired", ["expiredCertificate", "invalidCertificate"]);
export const merchantFuture = validity("merchant", "future", ["invalidCertificate", "expiredCertificate"]);
export const merchantRevoked = validity("merchant", "revoked", ["revokedCertificate"]);
export const merchantRevokedNoCrls = validity(
  "merchant",
  "revoked",
  ["revokedCertificate", "invalidCertificate", "missingCertificate"],
  false,
);
export const gatewayExpired = validity("gateway", "expired", ["expiredCertificate", "invalidCertificate"]);
export const gatewayFuture = validity("gateway", "future", ["invalidCertificate", "expiredCertificate"]);
export const gatewayRevoked = validity("gateway", "revoked", ["revokedCertificate"]);

export const foreignRoot = certificateAttack(
  "certificate/foreign-root",
  "A PInitRes from a complete Visa hierarchy (merchant and gateway) under a root the card does not pin.",
  {
    signerId: "attack/foreign/visa/merchant/signature",
    gatewayId: "attack/foreign/visa/gateway/key-exchange",
    // The lab's genuine Visa BCI and CRLs ride along, so the unknown root is the only fault.
    revocation: true,
  },
  ["invalidCertificate", "signatureFailure"],
  "mediator",
);

export const certificateAttacks: readonly Attack[] = [
  merchantSignatureAsGatewayKex,
  cardholderSignsPInitRes,
  crossBrandGateway,
  merchantExpired,
  merchantFuture,
  merchantRevoked,
  merchantRevokedNoCrls,
  gatewayExpired,
  gatewayFuture,
  gatewayRevoked,
  foreignRoot,
];
