/**
 * The hardened profile's gateway pinning: the issuer personalizes each card with the thumbprints
 * of its brand's payment gateway key-exchange certificates, and a card that holds pins encrypts the
 * PAN only to one of them, on every purchase, whatever profile the merchant or the PC asks for.
 * SET 1.0 (profile `set`, a card without pins) accepts any gateway key-exchange certificate the
 * brand certified, so a merchant may name an accomplice gateway: the documented gap.
 */
import {
  type CryptoProvider,
  equalConstantTime,
  type SetCertificate,
  SetError,
  thumbOf,
} from "@setlab/protocol";

/** `thumbsMismatch` unless the thumbprint of `gatewayKex` is one of `pinned`. */
export async function checkGatewayPinned(
  p: CryptoProvider,
  pinned: readonly Uint8Array[],
  gatewayKex: SetCertificate,
): Promise<void> {
  const thumb = await thumbOf(p, gatewayKex);
  if (!pinned.some((t) => equalConstantTime(t, thumb)))
    throw new SetError(
      "thumbsMismatch",
      `${gatewayKex.where} is not a gateway key-exchange certificate pinned on this card`,
      "PInitRes.gatewayKex",
    );
}
