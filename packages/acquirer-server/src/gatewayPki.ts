/**
 * What the gateway takes from a lab PKI directory (configuration, like the merchant's S31): each
 * brand's gateway keys, the trust anchors, and the test cards' accounts for the issuer simulator.
 * Merchants are not configured: each AuthReq carries its merchant's key-exchange certificate.
 */
import type { Trust } from "@setlab/protocol";
import { type LabPki, type RevocationSource, withCurrentRevocation } from "@setlab/runtime";
import type { GatewayBrandKeys } from "./gateway/gatewayKeys";
import { defaultAccountCurrency, defaultCreditLimit } from "./issuer/outcomes";
import type { NewAccount } from "./store/gatewayStore";

const caRoles = new Set(["bca", "cca", "mca", "pca"]);

/** Both uses of `<brand>/gateway/...` for every brand of the PKI. */
export async function gatewayKeysFrom(
  pki: LabPki,
  crypto: Crypto,
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
          privateKey: await pki.privateKey(sig, "signature", crypto, passphrase),
          chain: pki.chain(sig),
        },
        decrypter: {
          certificate: pki.certificate(kex),
          privateKey: await pki.privateKey(kex, "keyEncipherment", crypto, passphrase),
        },
      };
    }),
  );
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
