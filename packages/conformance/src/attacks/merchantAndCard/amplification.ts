/**
 * CPU and memory amplification: one SET body of almost the endpoint's limit (256 KiB) that is a
 * SEQUENCE holding a single OBJECT IDENTIFIER of about 260 000 one-byte arcs, sent to the merchant
 * and to the gateway, three at a time. A decoder that builds every arc (or re-encodes to check DER)
 * spends a second and hundreds of MB on each; a strict reader refuses it on the length of the OID.
 * While the bodies are in flight a genuine purchase must still complete.
 */
import { performance } from "node:perf_hooks";
import { oidBomb } from "@setlab/lab";
import type { Attack } from "../attack";
import { postToGateway, postToMerchant } from "../toolkit/labHttp";
import { completePurchase } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { verdict } from "../toolkit/verdict";

/** The most a refusal of one bomb may take, in wall time, on a loaded 2-core machine. */
const answerWithinMs = 2000;

export const oidAmplification: Attack = {
  id: "amplification/oid-arcs",
  category: "amplification",
  title:
    "Three 256 KiB bodies, each one OBJECT IDENTIFIER of ~260 000 one-byte arcs, to the merchant's and the gateway's /set at once, beside a genuine purchase.",
  expected: `Each is answered with a SET Error within ${answerWithinMs} ms; the genuine purchase completes.`,
  async run(target) {
    const bomb = oidBomb();
    const timed = async (send: () => Promise<{ status: number; bytes: Uint8Array }>) => {
      const start = performance.now();
      const answer = await readSetAnswer(await send());
      return { answer, ms: performance.now() - start };
    };
    const sends = [
      ...[0, 1, 2].map(() => timed(() => postToMerchant(target, bomb))),
      ...[0, 1, 2].map(() => timed(() => postToGateway(target, bomb))),
    ];
    let genuine = "completed";
    const purchase = completePurchase(target).then(
      async (done) => done.card.close(),
      (e: Error) => {
        genuine = `failed: ${e.message.split("\n")[0]}`;
      },
    );
    const answers = await Promise.all(sends);
    await purchase;
    const slowest = Math.max(...answers.map((a) => a.ms));
    const allErrors = answers.every((a) => a.answer.kind === "error" || a.answer.kind === "empty");
    const signal = allErrors
      ? [...new Set(answers.map((a) => describeAnswer(a.answer)))].join(" / ")
      : "accepted";
    return verdict(target, {
      refused: allErrors && slowest <= answerWithinMs && genuine === "completed",
      refusedBy: "merchant",
      signal,
      changed: [],
      detail: `6 bombs answered (${signal}), slowest in ${slowest.toFixed(0)} ms; the genuine purchase ${genuine}`,
    });
  },
};

export const amplificationAttacks: readonly Attack[] = [oidAmplification];
