/**
 * SET's envelopes whose RSA-OAEP block carries more than the key (digest 2.1, 2.2):
 * - EH(r, t): the block also holds H(t), so the symmetric part cannot be swapped.
 * - EX(r, t, p): the symmetric part holds L(t, p) = {t, DD(p)}; p itself (PANData and the like)
 *   rides in the block, which only the recipient's private key opens.
 * - EXH(r, t, p): EX plus the hash of the symmetric plaintext in the block.
 * The block is DER ExtraBlock under the key-transport OID SetLab.rsaOaepExtraBlock; standard CMS
 * readers (OpenSSL) do not know that algorithm and refuse these envelopes, by design.
 * Every failure, including a hash or DD mismatch, is the one `decryption failed` error.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { ExtraBlock, Linkage } from "../schema/extraBlock";
import { SetLab } from "../schema/oids";
import { equalConstantTime } from "./bytes";
import { checkDD, H } from "./digest";
import { type Decrypter, decryptionFailed, recipientOf, seal, unsealImplicit } from "./envelopedData";
import { L } from "./linkage";
import type { CryptoProvider } from "./provider";

interface ExtraParts {
  readonly withHash: boolean;
  readonly extra?: Uint8Array;
}

/** Envelope `plaintext` with an ExtraBlock; shared by EH, EX, EXH, EncX and EncBX. */
export async function sealExtra(
  p: CryptoProvider,
  recipientCertificate: Uint8Array,
  contentType: string,
  plaintext: Uint8Array,
  parts: ExtraParts,
): Promise<Uint8Array> {
  const [recipient, hash] = await Promise.all([
    recipientOf(p, recipientCertificate),
    parts.withHash ? H(p, plaintext) : undefined,
  ]);
  return seal(p, recipient, contentType, plaintext, (contentKey) => ({
    algorithm: SetLab.rsaOaepExtraBlock,
    block: encodeDer(ExtraBlock, { contentKey, hash, extra: parts.extra }),
  }));
}

export interface OpenedExtra {
  readonly plaintext: Uint8Array;
  readonly extra?: Uint8Array;
}

/**
 * Open an ExtraBlock envelope. The block must have exactly the parts the operator puts there (a
 * hash iff `withHash`, extra data iff `withExtra`), and a hash must match the plaintext.
 */
export async function unsealExtra(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  contentType: string,
  shape: { withHash: boolean; withExtra: boolean },
): Promise<OpenedExtra> {
  const { plaintext, extra, ok } = await unsealExtraImplicit(p, decrypter, msg, contentType, shape);
  if (!ok) throw decryptionFailed();
  return { plaintext, extra };
}

/** `unsealExtra` that rejects implicitly (`unsealImplicit`): the hash is taken whatever failed before it. */
async function unsealExtraImplicit(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  contentType: string,
  shape: { withHash: boolean; withExtra: boolean },
): Promise<OpenedExtra & { readonly ok: boolean }> {
  let block: ExtraBlock | undefined;
  const opened = await unsealImplicit(p, decrypter, msg, contentType, SetLab.rsaOaepExtraBlock, (bytes) => {
    try {
      block = decodeDer(ExtraBlock, bytes);
    } catch {
      return undefined;
    }
    return block.contentKey;
  });
  const found = block as ExtraBlock | undefined;
  let ok =
    opened.ok &&
    found !== undefined &&
    (found.hash !== undefined) === shape.withHash &&
    (found.extra !== undefined) === shape.withExtra;
  if (shape.withHash) {
    const hash = await H(p, opened.plaintext);
    if (!found?.hash || !equalConstantTime(found.hash, hash)) ok = false;
  }
  return { plaintext: opened.plaintext, extra: found?.extra, ok };
}

/** EH(r, t) */
export function EH(
  p: CryptoProvider,
  recipientCertificate: Uint8Array,
  contentType: string,
  content: Uint8Array,
): Promise<Uint8Array> {
  return sealExtra(p, recipientCertificate, contentType, content, { withHash: true });
}

/** Open EH(r, t); returns DER(t) after checking H(t) from the RSA block. */
export async function openEH(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  options: { contentType: string },
): Promise<Uint8Array> {
  const opened = await unsealExtra(p, decrypter, msg, options.contentType, {
    withHash: true,
    withExtra: false,
  });
  return opened.plaintext;
}

export interface ExtraTypes {
  /** setct OID of the envelope (e.g. PIDualSignedTBE). */
  readonly contentType: string;
  /** setct OID of p, the extra data (e.g. PANData), used in DD(p). */
  readonly extraContentType: string;
}

async function sealX(
  p: CryptoProvider,
  recipientCertificate: Uint8Array,
  types: ExtraTypes,
  t: Uint8Array,
  extra: Uint8Array,
  withHash: boolean,
): Promise<Uint8Array> {
  const linkage = await L(p, t, extra, types.extraContentType);
  return sealExtra(p, recipientCertificate, types.contentType, linkage, { withHash, extra });
}

/** What EX and EXH yield to their recipient. */
export interface OpenedX {
  /** DER of t, the first element of the linkage. */
  readonly t: Uint8Array;
  /** DER of p, from the RSA block, checked against DD(p) in the linkage. */
  readonly extra: Uint8Array;
}

/** What EX and EXH yield to a recipient that rejects implicitly (`openEXImplicit`). */
export interface TentativeX extends OpenedX {
  /**
   * Whether every layer passed. When false, `t` and `extra` are stand-ins to run the caller's
   * remaining steps on before it refuses with the one decryption error.
   */
  readonly ok: boolean;
}

async function openXImplicit(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  types: ExtraTypes,
  withHash: boolean,
): Promise<TentativeX> {
  const opened = await unsealExtraImplicit(p, decrypter, msg, types.contentType, {
    withHash,
    withExtra: true,
  });
  const extra = opened.extra ?? new Uint8Array(0);
  let t = opened.plaintext;
  let ok = opened.ok;
  let linkage: Linkage | undefined;
  try {
    linkage = decodeDer(Linkage, opened.plaintext);
    t = linkage.t;
    await checkDD(p, linkage.dd, extra, types.extraContentType);
  } catch {
    ok = false;
    // The digest the DD check takes, when the linkage did not decode far enough to take it.
    if (!linkage) await H(p, extra);
  }
  return { t, extra, ok };
}

async function openX(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  types: ExtraTypes,
  withHash: boolean,
): Promise<OpenedX> {
  const { t, extra, ok } = await openXImplicit(p, decrypter, msg, types, withHash);
  if (!ok) throw decryptionFailed();
  return { t, extra };
}

/** EX or EXH: the seal and the open of one of them. */
interface ExtraEnvelope {
  seal(
    p: CryptoProvider,
    recipientCertificate: Uint8Array,
    types: ExtraTypes,
    t: Uint8Array,
    extra: Uint8Array,
  ): Promise<Uint8Array>;
  open(p: CryptoProvider, decrypter: Decrypter, msg: Uint8Array, types: ExtraTypes): Promise<OpenedX>;
}

/** The two differ only in whether H(L(t, p)) rides in the RSA block. */
const extraEnvelope = (withHash: boolean): ExtraEnvelope => ({
  seal: (p, recipientCertificate, types, t, extra) =>
    sealX(p, recipientCertificate, types, t, extra, withHash),
  open: (p, decrypter, msg, types) => openX(p, decrypter, msg, types, withHash),
});

/** EX(r, t, p): symmetric part L(t, p), p in the RSA block. */
export const { seal: EX, open: openEX } = extraEnvelope(false);

/** EXH(r, t, p): EX plus H(L(t, p)) in the RSA block. */
export const { seal: EXH, open: openEXH } = extraEnvelope(true);

/**
 * Open EX(r, t, p) without refusing: every layer runs whatever failed, and `ok` says whether all
 * passed, so a caller with steps of its own (the gateway's dual signature) can run them on the
 * stand-ins too and refuse at the end, in the same time whichever layer failed.
 */
export function openEXImplicit(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  types: ExtraTypes,
): Promise<TentativeX> {
  return openXImplicit(p, decrypter, msg, types, false);
}

/** `openEXImplicit` for EXH(r, t, p). */
export function openEXHImplicit(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  types: ExtraTypes,
): Promise<TentativeX> {
  return openXImplicit(p, decrypter, msg, types, true);
}
