/**
 * The merchant as the purchase phases see it: POST a SET message to the shop's SET URL and read
 * what came back. A transport failure stops the purchase as failed, naming what was being sent.
 */
import { postSet, TransportError } from "@setlab/runtime/client";
import { PurchaseStop } from "./cardAnswers";
import { type MerchantAnswer, readMerchantAnswer } from "./merchantAnswer";

export interface MerchantReply {
  readonly bytes: Uint8Array;
  readonly answer: MerchantAnswer;
}

/** `send(der, "PInitReq")` posts `der` and reads the answer to it. */
export type MerchantChannel = (der: Uint8Array, sent: string) => Promise<MerchantReply>;

export function merchantChannel(url: string, runId: string | undefined, timeoutMs: number): MerchantChannel {
  return async (der, sent) => {
    let bytes: Uint8Array;
    try {
      bytes = await postSet(url, der, { timeoutMs, runId });
    } catch (e) {
      if (e instanceof TransportError) throw new PurchaseStop("failed", `sending the ${sent}: ${e.message}`);
      throw e;
    }
    return { bytes, answer: await readMerchantAnswer(bytes, sent) };
  };
}
