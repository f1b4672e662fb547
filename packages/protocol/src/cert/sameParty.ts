/**
 * Whether two certificates belong together: a party's signature and key-exchange certificates are
 * issued to one entity by one CA, so a certificate of another party of the same brand (another
 * gateway, another merchant) is not taken for the one a message was sealed to or signed with.
 */
import { bytesEqual } from "../asn1/tlv";
import type { SetCertificate } from "./setCertificate";

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a === undefined || b === undefined ? a === b : bytesEqual(a, b);

/**
 * Issued by the same CA certificate: the same issuer name and the same issuer+serial
 * authorityKeyIdentifier (both absent counts as the same; one absent does not), so that a CA that
 * was re-keyed, or another CA under the same name, is a different issuer.
 */
export function sameIssuingCa(a: SetCertificate, b: SetCertificate): boolean {
  const x = a.authorityKeyIdentifier;
  const y = b.authorityKeyIdentifier;
  return (
    bytesEqual(a.issuerDer, b.issuerDer) &&
    sameBytes(x?.serialNumber, y?.serialNumber) &&
    sameBytes(x?.issuerGeneralName, y?.issuerGeneralName) &&
    sameBytes(x?.keyIdentifier, y?.keyIdentifier)
  );
}

/** The same entity: the same subject name, issued by the same CA. */
export function sameParty(a: SetCertificate, b: SetCertificate): boolean {
  return bytesEqual(a.subjectDer, b.subjectDer) && sameIssuingCa(a, b);
}
