/**
 * A PInitRes crafted by a rogue merchant for the card's PInitReq: signed by any certificate whose
 * key the adversary holds (the lab merchant's, an expired or foreign one, a cardholder's), offering
 * any certificate as the gateway's key-exchange certificate (PEThumb names it), with or without the
 * brand's BCI and CRLs.
 */
import {
  type CryptoProvider,
  parseSetCertificate,
  schema,
  signPInitRes,
  thumbOf,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { LabPki } from "@setlab/runtime";
import { readPInitReq } from "./messages";
import { adversaryProvider, signerOf } from "./stolenKeys";

export interface PInitResRecipe {
  /** Manifest id of the certificate that signs (its key is used). */
  readonly signerId: string;
  /** Manifest id of the certificate offered as the gateway's key-exchange certificate. */
  readonly gatewayId: string;
  /** Carry the brand's current BCI and every CRL (default true). */
  readonly revocation?: boolean;
  /** Carry this BCI (DER) instead of the current one, with every CRL. */
  readonly bci?: Uint8Array;
  readonly brand?: string;
}

export interface CraftedPInitRes {
  /** MessageWrapper(PInitRes) DER. */
  readonly der: Uint8Array;
  readonly data: schema.PInitResData;
}

export async function craftPInitRes(
  pki: LabPki,
  pInitReq: Uint8Array,
  recipe: PInitResRecipe,
  p: CryptoProvider = adversaryProvider,
): Promise<CraftedPInitRes> {
  const req = readPInitReq(pInitReq);
  const date = wholeSeconds(new Date());
  const xid = p.random(20);
  const transIDs: schema.TransIDs = {
    lid_C: req.localID_C,
    ...(req.localID_M ? { lid_M: req.localID_M } : {}),
    xid,
    pReqDate: date,
    language: req.language,
  };
  const gatewayCertificate = pki.certificate(recipe.gatewayId);
  const data: schema.PInitResData = {
    transIDs,
    rrpid: req.rrpid,
    chall_C: req.chall_C,
    chall_M: p.random(20),
    peThumb: {
      digestAlgorithm: { algorithm: schema.Std.sha256 },
      thumbprint: await thumbOf(p, parseSetCertificate(gatewayCertificate)),
    },
  };
  const bci = recipe.revocation === false ? undefined : (recipe.bci ?? pki.bci(recipe.brand ?? req.brandID));
  const signed = await signPInitRes(p, await signerOf(pki, recipe.signerId, p), data, {
    certificate: gatewayCertificate,
    chain: pki.chain(recipe.gatewayId),
    ...(bci ? { revocation: { bci, crls: pki.crls() } } : {}),
  });
  const der = wrapMessage(
    { type: "purchaseInitResponse", value: signed },
    { rrpid: req.rrpid, lid_C: req.localID_C, lid_M: req.localID_M, xid },
    { date },
  );
  return { der, data };
}
