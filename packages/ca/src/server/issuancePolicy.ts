/**
 * Who may have which certificate issued over the CA's network interface, decided before anything is
 * issued.
 *
 * - Authority: today one kind, the CA operator, who proves it with the operator token (`set-ca
 *   serve`). SET's registration protocols (CardCInitReq..., Me-AqCInitReq...) will add a second kind,
 *   an entity whose registration form the acquirer or issuer vouched for; they pass the same
 *   checks below with their own authority value.
 * - Profiles: only end-entity merchant certificates are issued over the network. CA certificates
 *   and gateway certificates come from the offline `set-ca` CLI alone (the keys that sign money
 *   decisions are not one HTTP request away); cardholder certificates need the card registration
 *   protocol's account data.
 * - Names: a merchant certificate names its merchant (merID, name). A merID or merchant name that
 *   an unrevoked certificate of the same CA and profile already carries belongs to that merchant: a
 *   new key is certified for it only with the operator's explicit `approveNewKey` (a re-key).
 */
import { parseSetCertificate } from "@setlab/protocol";
import { CaError } from "../errors";
import type { StoredCertificate } from "../store/caStore";
import type { IssuanceAuthority, IssuanceRequest } from "./backend";

/** The profiles the network interface issues at all. */
export const networkProfiles: ReadonlySet<string> = new Set(["merchantSignature", "merchantKeyExchange"]);

const merIdPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,29}$/;

/** Refuse what the authority may not have; return quietly when the request may go to the CA. */
export function checkIssuance(
  request: IssuanceRequest,
  authority: IssuanceAuthority | undefined,
  issuedByThisCa: readonly StoredCertificate[],
): void {
  if (authority?.kind !== "operator")
    throw new CaError("unauthorized", "issuing a certificate needs the CA operator's token");
  if (request.profile === "cardholderSignature")
    throw new CaError("profileNotAllowed", "cardholder certificates are issued through card registration");
  if (!networkProfiles.has(request.profile))
    throw new CaError(
      "profileNotAllowed",
      `${request.profile} certificates are issued only with the offline set-ca CLI, never over the network`,
    );
  const merchant = request.merchant;
  if (!merchant) throw new CaError("badRequest", "a merchant certificate needs merID and merchantName");
  if (!merIdPattern.test(merchant.merID))
    throw new CaError("badRequest", "merID must be 1 to 30 letters, digits or hyphens");
  if (merchant.name.trim().length === 0 || merchant.name.length > 100)
    throw new CaError("badRequest", "merchantName must be 1 to 100 characters");
  if (request.approveNewKey) return;
  const name = merchant.name.trim().toLowerCase();
  for (const c of issuedByThisCa) {
    if (c.revokedAt || c.profile !== request.profile) continue;
    const data = parseSetCertificate(c.der).merchantData;
    if (!data) continue;
    if (data.merID === merchant.merID || data.merNameSeq.some((n) => n.name.trim().toLowerCase() === name))
      throw new CaError(
        "entityExists",
        `merID ${data.merID} ("${data.merNameSeq[0]?.name ?? ""}") already has a ${request.profile} certificate (serial ${c.serial}); certifying a new key for it needs approveNewKey`,
      );
  }
}
