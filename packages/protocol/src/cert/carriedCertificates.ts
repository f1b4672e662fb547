/**
 * A message's SignedData may carry certificates (digest 1.6); the receiver judges the ones it
 * uses. A carried certificate that is on none of the paths the receiver validated is refused
 * rather than ignored: whatever it is (a stale copy, a damaged one, one a sender's software or the
 * wire changed), the sender did not send what the receiver verified, and accepting it would make
 * the answer depend on which copy a receiver happened to look at. A warm chain cache never vouched
 * for such a message (a certificate it has not seen is a miss); now no receiver accepts it.
 */
import { bytesEqual } from "../asn1/tlv";
import { namingCertificate, SetError } from "../errors";
import type { ValidatedChain } from "./chain";
import { thumbOfDer } from "./errorThumb";

/** invalidCertificate, naming it, for the first carried certificate on none of `paths`. */
export function refuseUnvalidatedCarried(
  carried: readonly Uint8Array[],
  paths: readonly ValidatedChain[],
  where: string,
): void {
  for (const der of carried) {
    if (paths.some((chain) => chain.path.some((c) => bytesEqual(c.der, der)))) continue;
    throw namingCertificate(
      new SetError("invalidCertificate", "a carried certificate is on no path the receiver validated", where),
      thumbOfDer(der),
    );
  }
}
