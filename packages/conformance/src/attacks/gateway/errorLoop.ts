/**
 * Error loops (digest 3.8: never answer an Error with an Error): SET Error messages posted to the
 * gateway's /set get an empty answer and change nothing.
 */
import { errorMessage, SetError } from "@setlab/protocol";
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import { authorizationsOf, gatewayLogFor, heldOn, postSetRaw } from "../toolkit/gatewayProbe";
import { forgerOf, gatewaySet } from "./gatewayVerdict";

async function postError(
  target: AttackTarget,
  make: (authReq: Uint8Array) => Promise<Uint8Array>,
  what: string,
): Promise<AttackOutcome> {
  const f = forgerOf(target);
  // A genuine-looking AuthReq that is never sent: the Error names it as the offending message.
  const offending = await f.forge();
  const heldBefore = await heldOn(target.gatewayAdmin, "visa-approve");
  const raw = await postSetRaw(gatewaySet(target), await make(offending.bytes));
  const log = await gatewayLogFor(target.home, raw.runId);
  const rows = await authorizationsOf(target.gatewayAdmin, offending.xidHex);
  const heldAfter = await heldOn(target.gatewayAdmin, "visa-approve");
  const empty = raw.status === 200 && raw.body.length === 0;
  return {
    refused: empty,
    refusedBy: "gateway",
    signal: empty ? "empty answer" : `HTTP ${raw.status}, ${raw.body.length} bytes`,
    stateUnchanged: rows.length === 0 && heldAfter === heldBefore,
    detail: `${what}: HTTP ${raw.status} with ${raw.body.length} bytes; gateway logged kind ${String(log?.kind)}; ${rows.length} authorization row(s), hold ${heldBefore} -> ${heldAfter}`,
  };
}

export const errorToGateway: Attack = {
  id: "error-loop/gateway-unsigned-error",
  category: "error-loop",
  title:
    "An unsigned SET Error (naming an AuthReq as the offending message) is posted to the gateway's /set.",
  expected: "An empty answer, never an Error; nothing recorded.",
  run: (target) =>
    postError(
      target,
      (authReq) => errorMessage(forgerOf(target).p, new SetError("unspecifiedFailure", "x"), authReq),
      "unsigned Error",
    ),
};

export const signedErrorToGateway: Attack = {
  id: "error-loop/gateway-signed-error",
  category: "error-loop",
  title: "A SET Error signed with the lab merchant's key is posted to the gateway's /set.",
  expected: "An empty answer, never an Error; nothing recorded.",
  run: async (target) => {
    const f = forgerOf(target);
    const signer = await f.signer("visa/merchant/signature");
    return postError(
      target,
      (authReq) => errorMessage(f.p, new SetError("signatureFailure", "x"), authReq, { signer }),
      "signed Error",
    );
  },
};

export const errorAboutError: Attack = {
  id: "error-loop/gateway-error-about-error",
  category: "error-loop",
  title: "A SET Error whose offending message is itself a SET Error is posted to the gateway's /set.",
  expected: "An empty answer, never an Error; nothing recorded.",
  run: (target) =>
    postError(
      target,
      async (authReq) => {
        const p = forgerOf(target).p;
        const inner = await errorMessage(p, new SetError("decodingFailure", "x"), authReq);
        return errorMessage(p, new SetError("decodingFailure", "x"), inner);
      },
      "Error about an Error",
    ),
};

export const errorLoopAttacks: readonly Attack[] = [errorToGateway, signedErrorToGateway, errorAboutError];
