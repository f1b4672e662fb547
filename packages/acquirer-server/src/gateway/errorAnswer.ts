/**
 * A failed AuthReq's answer: a SetError becomes a SET Error with its code (signed with the brand's
 * signature key once the envelope has named the brand); anything else is an internal fault,
 * answered unspecifiedFailure and marked for the log, never shown to the merchant.
 */
import { type CryptoProvider, errorMessage, SetError } from "@setlab/protocol";
import type { AuthReqIds, AuthReqOutcome } from "./authReqOutcome";
import type { GatewayBrandKeys } from "./gatewayKeys";

export async function errorAnswer(
  p: CryptoProvider,
  e: unknown,
  request: Uint8Array,
  keys: GatewayBrandKeys | undefined,
  ids: AuthReqIds,
): Promise<AuthReqOutcome> {
  const internal = !(e instanceof SetError);
  const failure = internal ? new SetError("unspecifiedFailure", "internal error") : e;
  const response = await errorMessage(p, failure, request, keys ? { signer: keys.signer } : {});
  return {
    ...ids,
    response,
    kind: "error",
    errorCode: failure.code,
    reason: internal ? (e instanceof Error ? e.message : String(e)) : failure.message,
    ...(internal ? { internal } : {}),
  };
}
