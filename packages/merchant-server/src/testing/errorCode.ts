/** Test-only: the ErrorCode of a SET Error answer (throws if the answer is not an Error). */
import { type CryptoProvider, readError, schema } from "@setlab/protocol";

export async function errorCodeOf(p: CryptoProvider, answer: Uint8Array): Promise<string> {
  const wrapper = schema.decodeMessage(answer);
  if (wrapper.message.type !== "error") throw new Error(`expected an Error, got ${wrapper.message.type}`);
  return (await readError(p, wrapper.message.value)).code;
}
