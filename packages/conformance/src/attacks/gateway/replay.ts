/** Replays at the gateway (digest 6 rule 3, 7.6): the same AuthReq, a reused AuthRRPID, a reused XID. */

import { bytesEqual } from "@setlab/protocol";
import type { Attack } from "../attack";
import { authorizationsOf, heldOn, postSetRaw } from "../toolkit/gatewayProbe";
import { describe, forgerOf, gatewaySet, sendAndJudge } from "./gatewayVerdict";

export const replayedAuthReq: Attack = {
  id: "replay/authreq-same-bytes",
  category: "replay",
  title: "A man in the middle sends an answered AuthReq to the gateway again, byte for byte.",
  expected:
    "The gateway answers the stored AuthRes byte for byte and records no second authorization or hold.",
  async run(target) {
    const f = forgerOf(target);
    const req = await f.forge();
    const first = await postSetRaw(gatewaySet(target), req.bytes);
    const firstAnswer = await f.read(first.body);
    if (firstAnswer.type !== "authRes")
      throw new Error(`the genuine AuthReq was not answered: ${describe(firstAnswer)}`);
    const heldBefore = await heldOn(target.gatewayUrl, "visa-approve");
    const again = await postSetRaw(gatewaySet(target), req.bytes);
    const rows = await authorizationsOf(target.gatewayUrl, req.xidHex);
    const heldAfter = await heldOn(target.gatewayUrl, "visa-approve");
    const identical = again.status === 200 && bytesEqual(again.body, first.body);
    return {
      refused: identical,
      refusedBy: "gateway",
      signal: identical ? "stored AuthRes" : describe(await f.read(again.body)),
      stateUnchanged: rows.length === 1 && heldAfter === heldBefore,
      detail: `second send answered ${identical ? "the stored AuthRes byte for byte" : "other bytes"}; ${rows.length} authorization row(s), hold ${heldBefore} -> ${heldAfter}`,
    };
  },
};

export const reusedAuthRRPID: Attack = {
  id: "replay/authreq-reused-rrpid",
  category: "replay",
  title:
    "A merchant reuses an answered AuthRRPID for an AuthReq with other content (another XID and amount).",
  expected: "SET Error unknownRRPID; no authorization for the second XID.",
  async run(target) {
    const f = forgerOf(target);
    const first = await f.forge();
    const answer = await f.read((await postSetRaw(gatewaySet(target), first.bytes)).body);
    if (answer.type !== "authRes")
      throw new Error(`the genuine AuthReq was not answered: ${describe(answer)}`);
    const second = await f.forge({ authRRPID: first.parts.authRRPID, amount: 150 });
    return sendAndJudge(target, second.bytes, second.xidHex, { errors: ["unknownRRPID"] });
  },
};

export const reusedXid: Attack = {
  id: "replay/authreq-reused-xid-new-amount",
  category: "replay",
  title:
    "A merchant asks again for an already authorized XID, with a new AuthRRPID, a new PI and a higher amount.",
  expected:
    "The gateway declines (AuthCode duplicateAuthorization) or refuses; still one approved authorization, no new hold.",
  async run(target) {
    const f = forgerOf(target);
    const first = await f.forge({ amount: 100 });
    const answer = await f.read((await postSetRaw(gatewaySet(target), first.bytes)).body);
    if (answer.type !== "authRes" || answer.authCode !== "approved")
      throw new Error(`the genuine AuthReq was not approved: ${describe(answer)}`);
    const second = await f.forge({ xid: first.parts.transIDs.xid, amount: 300 });
    return sendAndJudge(
      target,
      second.bytes,
      second.xidHex,
      { declines: ["duplicateAuthorization"], errors: ["unknownXID"] },
      { approvedBefore: 1 },
    );
  },
};

export const replayAttacks: readonly Attack[] = [replayedAuthReq, reusedAuthRRPID, reusedXid];
