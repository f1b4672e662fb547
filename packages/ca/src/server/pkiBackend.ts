/**
 * The CaBackend over a lab PKI directory: certificates, CRLs and BCIs from the CA store, issuance
 * by the directory's CAs.
 */

import { toHex } from "@setlab/protocol";
import { labMerchantData } from "../cli/init";
import type { PkiDirectory } from "../cli/pkiDirectory";
import { CaError } from "../errors";
import { isProfileName } from "../profiles";
import type { CaBackend } from "./backend";

export function pkiBackend(pki: PkiDirectory): CaBackend {
  return {
    certificate: async (t) => (await pki.store.findByThumb(toHex(t)))?.der,
    crl: async (t) => (await pki.store.findCrlByThumb(toHex(t)))?.der,
    bci: async (t) => (await pki.store.findBciByThumb(toHex(t)))?.der,
    issue: async (req) => {
      if (!pki.caIds().includes(req.ca)) throw new CaError("badRequest", `no CA "${req.ca}" here`);
      if (!isProfileName(req.profile)) throw new CaError("badRequest", `unknown profile "${req.profile}"`);
      // Cardholder certificates need account data that only the registration protocol carries.
      if (req.profile === "cardholderSignature")
        throw new CaError(
          "profileNotAllowed",
          "cardholder certificates are issued through card registration",
        );
      const ca = pki.ca(req.ca);
      const merchant = req.profile === "merchantSignature" || req.profile === "merchantKeyExchange";
      const issued = await ca.issue({
        profile: req.profile,
        commonName: req.commonName,
        publicKey: req.spki,
        pkcs10: req.pkcs10,
        merchantData: merchant ? labMerchantData(ca.brand ?? "") : undefined,
      });
      return { der: issued.der, thumb: issued.thumb };
    },
  };
}
