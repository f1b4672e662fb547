/** Downgrade (digest 7.3): the unsigned PI (EXH, no cardholder signature) for a brand that requires cardholder certificates. */
import type { Attack } from "../attack";
import { forgerOf, sendAndJudge } from "./gatewayVerdict";

export const unsignedPIForVisa: Attack = {
  id: "downgrade/unsigned-pi-for-visa",
  category: "downgrade",
  title:
    "An AuthReq for a Visa card carries the unsigned PI form (EXH, PANToken only), as anyone holding the PAN could build it.",
  expected:
    "The gateway declines (AuthCode cardCertRequired) or refuses (signatureRequired); no approved authorization, no hold.",
  async run(target) {
    const req = await forgerOf(target).forge({ form: "unsigned" });
    return sendAndJudge(target, req.bytes, req.xidHex, {
      declines: ["cardCertRequired"],
      errors: ["signatureRequired"],
    });
  },
};

export const downgradeAttacks: readonly Attack[] = [unsignedPIForVisa];
