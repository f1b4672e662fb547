/**
 * What the gateway takes from a lab PKI directory (configuration, like the merchant's S31): each
 * brand's gateway keys, the merchants' key-exchange certificates by merID, the trust anchors, and
 * the test cards' accounts for the issuer simulator.
 */
import { parseSetCertificate } from "@setlab/protocol";
import type { LabPki } from "@setlab/runtime";
import type { MerchantKexDirectory } from "./gateway/gateway";
import type { GatewayBrandKeys } from "./gateway/gatewayKeys";
import { defaultCreditLimit } from "./issuer/outcomes";
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

/** Every merchant key-exchange certificate of the PKI, found by brand and merID. */
export function merchantKexFrom(pki: LabPki): MerchantKexDirectory {
  const byKey = new Map<string, Uint8Array>();
  for (const e of pki.entries) {
    if (e.role !== "mer") continue;
    const der = pki.certificate(e.id);
    const cert = parseSetCertificate(der);
    const merID = cert.merchantData?.merID;
    if (!merID || !cert.keyUsage?.includes("keyEncipherment") || !cert.brand) continue;
    byKey.set(`${cert.brand}\u0000${merID}`, der);
  }
  return (brand, merID) => byKey.get(`${brand}\u0000${merID}`);
}

/** The CA certificates below the root, for chain building. */
export function intermediatesFrom(pki: LabPki): Uint8Array[] {
  return pki.entries.filter((e) => caRoles.has(e.role)).map((e) => pki.certificate(e.id));
}

/** The issuer simulator's accounts: one per test card of cards.json. */
export function accountsFrom(pki: LabPki, creditLimit = defaultCreditLimit): NewAccount[] {
  return Object.entries(pki.cards()).map(([cardId, c]) => ({
    cardId,
    brand: c.brand,
    pan: c.pan,
    expiry: c.expiry,
    outcome: c.outcome ?? "approve",
    creditLimit,
  }));
}
