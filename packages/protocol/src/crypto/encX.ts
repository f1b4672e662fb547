/**
 * EncX(s, r, t, p): sign and envelope with extra data. The symmetric part holds t and
 * SO(s, {t, p}); p rides only in the RSA-OAEP block with the content key (CertReq with PANData0
 * or AcctData, digest 2.1). The detached signature binds p to t, so no hash is needed in the block.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { EncXTBE, EncXTBS } from "../schema/extraBlock";
import { type OpenOptions, type SignedEnvelopeTypes, verifyDecrypted } from "./enc";
import { type Decrypter, decryptionFailed } from "./envelopedData";
import { sealExtra, unsealExtra } from "./extraEnvelope";
import type { CryptoProvider } from "./provider";
import { type Signer, SO, type VerifiedSignature, verifySO } from "./signedMessage";

export async function EncX(
  p: CryptoProvider,
  signer: Signer,
  recipientCertificate: Uint8Array,
  types: SignedEnvelopeTypes,
  t: Uint8Array,
  extra: Uint8Array,
): Promise<Uint8Array> {
  const signature = await SO(p, signer, types.signed, encodeDer(EncXTBS, { t, extra }));
  return sealExtra(p, recipientCertificate, types.enveloped, encodeDer(EncXTBE, { t, signature }), {
    withHash: false,
    extra,
  });
}

export interface OpenedEncX extends VerifiedSignature {
  /** DER of t. */
  readonly content: Uint8Array;
  /** DER of p, from the RSA block. */
  readonly extra: Uint8Array;
}

/** Open EncX(s, r, t, p): decrypt, then verify SO(s, {t, p}) with p from the RSA block. */
export async function openEncX(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  types: SignedEnvelopeTypes,
  options: OpenOptions = {},
): Promise<OpenedEncX> {
  const { plaintext, extra } = await unsealExtra(p, decrypter, msg, types.enveloped, {
    withHash: false,
    withExtra: true,
  });
  let body: EncXTBE;
  try {
    body = decodeDer(EncXTBE, plaintext);
  } catch {
    throw decryptionFailed();
  }
  const tbs = encodeDer(EncXTBS, { t: body.t, extra: extra! });
  const verified = await verifyDecrypted(
    verifySO(p, body.signature, tbs, { ...options, contentType: types.signed }),
  );
  return { ...verified, content: body.t, extra: extra! };
}
