/** The gateway's answer as the order's message record keeps it (none when nothing came back). */
import { schema } from "@setlab/protocol";

export const gatewayMessage = (answer: Uint8Array | undefined) => {
  const type = answer ? answerTypeOf(answer) : undefined;
  return answer && type ? [{ from: "gateway" as const, to: "merchant" as const, type, der: answer }] : [];
};

/** The message type of the gateway's answer, for the record ("unreadable" when it does not decode). */
function answerTypeOf(answer: Uint8Array): string {
  try {
    return schema.decodeMessage(answer).message.type;
  } catch {
    return "unreadable";
  }
}
