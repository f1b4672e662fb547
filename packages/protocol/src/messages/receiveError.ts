/**
 * Any party receives an Error (digest 3.8). An Error is never answered with an Error; the
 * receiver records it. A SignedError's code is read whether or not its signature verifies, and
 * `signed` says whether it is the peer's: the signature verifies and the signer's certificate
 * chains to the receiver's trust anchors in a role it expects, for signing, unrevoked.
 */
import type { CryptoProvider } from "../crypto/provider";
import type { MessageHeader } from "../schema/header";
import { type ReadError, readError } from "./errorMessage";
import type { ErrorSigners } from "./errorSigner";
import { asRead, bodyOf, type Incoming } from "./incoming";

export interface ReceivedError extends ReadError {
  /** The Error's own header: the offending message's RRPID and MessageIDs, when it had them. */
  readonly header: MessageHeader;
}

/**
 * The message type must be Error (messageNotSupported); then its code, OID, thumb, and its
 * signature and signer checked against `signers` (a signer that fails: `signed` false,
 * `signerRefused` the code of the failed check).
 */
export async function receiveError(
  p: CryptoProvider,
  message: Incoming,
  signers: ErrorSigners,
): Promise<ReceivedError> {
  const { wrapper } = asRead(message);
  if (wrapper.message.type !== "error") await bodyOf(p, wrapper, "error");
  const body = wrapper.message.value as Parameters<typeof readError>[1];
  return { ...(await readError(p, body, signers)), header: wrapper.messageHeader };
}
