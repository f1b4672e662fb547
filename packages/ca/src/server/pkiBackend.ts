/**
 * The CaBackend over a lab PKI directory: certificates, CRLs and BCIs from the CA store, issuance
 * by the directory's CAs.
 */

import { toHex } from "@setlab/protocol";
import { labMerchantData } from "../cli/init";
import type { PkiDirectory } from "../cli/pkiDirectory";
import { CaError } from "../errors";
import { isProfileName } from "../profiles";
import type { CaBackend, IssuanceAuthority, IssuanceRequest } from "./backend";
import { checkIssuance } from "./issuancePolicy";

export function pkiBackend(pki: PkiDirectory): CaBackend {
  let queue: Promise<unknown> = Promise.resolve();
  const issueOne = async (req: IssuanceRequest, authority: IssuanceAuthority | undefined) => {
    if (!pki.caIds().includes(req.ca)) throw new CaError("badRequest", `no CA "${req.ca}" here`);
    if (!isProfileName(req.profile)) throw new CaError("badRequest", `unknown profile "${req.profile}"`);
    const ca = pki.ca(req.ca);
    checkIssuance(req, authority, await pki.store.listIssued(ca.id));
    const merchant = req.merchant;
    const issued = await ca.issue({
      profile: req.profile,
      // A merchant certificate's subject names the merchant unless the request names it otherwise.
      commonName: req.commonName ?? req.merchant?.name,
      publicKey: req.spki,
      pkcs10: req.pkcs10,
      merchantData: merchant
        ? {
            ...labMerchantData(ca.brand ?? ""),
            merID: merchant.merID,
            merNameSeq: [
              {
                language: "en",
                name: merchant.name,
                city: merchant.city ?? "Kawasaki",
                countryName: "Japan",
              },
            ],
          }
        : undefined,
    });
    return { der: issued.der, thumb: issued.thumb };
  };
  return {
    certificate: async (t) => (await pki.store.findByThumb(toHex(t)))?.der,
    crl: async (t) => (await pki.store.findCrlByThumb(toHex(t)))?.der,
    bci: async (t) => (await pki.store.findBciByThumb(toHex(t)))?.der,
    // One issuance at a time: the existing-entity check and the issuance it allows are not split
    // by another request for the same merID.
    issue: (req, authority) => {
      const run = queue.then(() => issueOne(req, authority));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
