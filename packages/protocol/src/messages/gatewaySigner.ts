/**
 * The signer of what a gateway seals to a merchant (AuthRes, AuthRevRes, CapRes, CapRevRes/CredRes/
 * CredRevRes, BatchAdminRes): a pgwy certificate for signature, of the brand when the merchant
 * names one, chained to the pinned root and not revoked; a carried certificate off that path is
 * refused. Judged here, once, for every such answer.
 */
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import type { VerifiedSignature } from "../crypto/signedMessage";
import { checkPartyCertificate } from "./partyCertificate";

export interface GatewaySigner {
  readonly gateway: SetCertificate;
}

/** `message` is SET's name of the answer, for `where`. */
export async function checkGatewaySigner(
  p: CryptoProvider,
  signed: VerifiedSignature,
  trust: Trust,
  message: string,
  brand: string | undefined,
): Promise<GatewaySigner> {
  const chain = await checkPartyCertificate(p, signed.signerCertificate, signed.certificates, trust, {
    role: "pgwy",
    use: "signature",
    ...(brand !== undefined ? { brand } : {}),
  });
  refuseUnvalidatedCarried(signed.certificates, [chain], `${message}.certificates`);
  return { gateway: chain.leaf };
}
