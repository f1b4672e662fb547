/**
 * What the gateway takes from a lab PKI directory (configuration, like the merchant's S31): each
 * brand's gateway keys, the trust anchors, the merchants enrolled with the acquirer, and the test
 * cards' accounts for the issuer simulator. Merchant keys are not configured: each AuthReq carries
 * its merchant's key-exchange certificate.
 */
import { type CryptoProvider, parseSetCertificate, type Trust } from "@setlab/protocol";
import { type LabPki, type RevocationSource, withCurrentRevocation } from "@setlab/runtime";
import type { EnrolledMerchants } from "./gateway/enrolledMerchants";
import type { GatewayBrandKeys } from "./gateway/gatewayKeys";
import { defaultAccountCurrency, defaultCreditLimit } from "./issuer/outcomes";
import type { NewAccount } from "./store/gatewayStore";

const caRoles = new Set(["bca", "cca", "mca", "pca"]);

/** Both uses of `<brand>/gateway/...` for every brand of the PKI. */
export async function gatewayKeysFrom(
  pki: LabPki,
  p: CryptoProvider,
  passphrase?: string,
): Promise<GatewayBrandKeys[]> {
  return Promise.all(
    pki.brands.map(async (brand) => {
      const base = `${brand.toLowerCase()}/gateway`;
      const sig = `${base}/signature`;
      const kex = `${base}/key-exchange`;
      return {
        brand,
        signer: {
          certificate: pki.certificate(sig),
          privateKey: await pki.privateKey(sig, "signature", p, passphrase),
          chain: pki.chain(sig),
        },
        decrypter: {
          certificate: pki.certificate(kex),
          privateKey: await pki.privateKey(kex, "keyEncipherment", p, passphrase),
        },
      };
    }),
  );
}

/**
 * The lab's default enrollment: the merID of every merchant certificate of the PKI under its own
 * root (the lab shop, and the second merchant the attack fixtures hold), per brand. A merchant
 * certificate issued later, or one under a root nobody pins, is not enrolled by it.
 */
export function enrolledMerchantsFrom(pki: LabPki): EnrolledMerchants {
  const out: Record<string, string[]> = {};
  for (const e of pki.entries) {
    if (e.role !== "mer" || !e.brand || e.id.startsWith("attack/foreign/")) continue;
    const merID = parseSetCertificate(pki.certificate(e.id)).merchantData?.merID;
    if (!merID) continue;
    const list = out[e.brand] ?? [];
    if (!list.includes(merID)) out[e.brand] = [...list, merID];
  }
  return out;
}

/** The CA certificates below the root, for chain building. */
export function intermediatesFrom(pki: LabPki): Uint8Array[] {
  return pki.entries.filter((e) => caRoles.has(e.role)).map((e) => pki.certificate(e.id));
}

/**
 * The gateway's Trust without the time: the pinned root, the CA certificates of the PKI, and each
 * brand's BCI and CRLs as `revocation` holds them when a request reads them, so a revoked
 * merchant or cardholder certificate is refused (revokedCertificate). A brand without a BCI is
 * refused whole.
 */
export function gatewayTrustFrom(pki: LabPki, revocation: RevocationSource): Omit<Trust, "at"> {
  return withCurrentRevocation({ pinnedRoot: pki.root(), intermediates: intermediatesFrom(pki) }, revocation);
}

/**
 * The issuer simulator's accounts: one per test card of cards.json, and one per attack card
 * (attack/cards.json), so that only the gateway's certificate checks refuse those.
 */
export function accountsFrom(pki: LabPki, creditLimit = defaultCreditLimit): NewAccount[] {
  return Object.entries({ ...pki.cards(), ...pki.attackCards() }).map(([cardId, c]) => ({
    cardId,
    brand: c.brand,
    pan: c.pan,
    expiry: c.expiry,
    outcome: c.outcome ?? "approve",
    currency: defaultAccountCurrency,
    creditLimit,
  }));
}
