/**
 * Who may sign the Errors a receiver takes as signed. A SignedError whose signature verifies says
 * only that someone holding the certificate's key signed it; like every other signed message, it
 * counts as the peer's only when that certificate chains to the receiver's trust anchors, holds a
 * role the receiver's peer holds, certifies a signature key and is not revoked (digest 6, rule 4).
 */
import { parseSetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import type { VerifiedSignedMessage } from "../crypto/signedMessage";
import { type ErrorCode, SetError } from "../errors";
import type { CertificateRole } from "../schema/certExtensions";
import { checkPartyCertificate } from "./partyCertificate";

export interface ErrorSigners {
  /** The receiver's pinned root, intermediates, clock and revocation material. */
  readonly trust: Trust;
  /** The roles of the parties whose Errors it reads (the card: mer; the merchant: card or pgwy). */
  readonly roles: readonly [CertificateRole, ...CertificateRole[]];
  /** The brand the signer's certificate must be of, when the receiver knows it. */
  readonly brand?: string;
}

/**
 * Undefined when the signer's certificate is one of `signers`; else the code of the check it
 * failed (invalidCertificate, expiredCertificate, revokedCertificate, ...). Never throws.
 */
export async function errorSignerRefusal(
  p: CryptoProvider,
  verified: VerifiedSignedMessage,
  signers: ErrorSigners,
): Promise<ErrorCode | undefined> {
  try {
    const held = parseSetCertificate(verified.signerCertificate).certificateType ?? [];
    // Checked in the role the certificate claims when the receiver accepts it, so a revoked
    // merchant reads as revoked rather than as a wrong role.
    const role = signers.roles.find((r) => held.includes(r)) ?? signers.roles[0];
    await checkPartyCertificate(p, verified.signerCertificate, verified.certificates, signers.trust, {
      role,
      use: "signature",
      brand: signers.brand,
    });
    return undefined;
  } catch (e) {
    return e instanceof SetError ? e.code : "invalidCertificate";
  }
}
