/**
 * CapToken = Enc(P1, P2, CapTokenData): the gateway's record of an authorization, signed by the
 * gateway and sealed to its own key-exchange key. The merchant holds it with the order, cannot
 * read it, and returns it with the capture (CapReq), where the gateway opens it again. SET lets
 * P1 and P2 differ (one gateway issues, another captures); here both are the same gateway.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate } from "../cert/setCertificate";
import { type SignedEnvelopeTypes, verifyDecrypted } from "../crypto/enc";
import { E, openE } from "../crypto/envelope";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer, verifyS } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { type CapCode, type CapToken, CapTokenData, CapTokenOpaque } from "../schema/payment";

export const capTokenTypes: SignedEnvelopeTypes = {
  signed: ContentType.CapTokenTBS,
  enveloped: ContentType.CapTokenTBE,
};

/** The gateway that issues and later opens its own CapTokens. */
export interface CapTokenKeys {
  /** Signs the token; its certificate is left out of the token (the gateway holds it). */
  readonly signer: Signer;
  /** The gateway's own key-exchange key and certificate, to which the token is sealed. */
  readonly decrypter: Decrypter;
}

/** CapToken enc = Enc(P, P, CapTokenData), tokenOpaque holding the DER of CapTokenOpaque. */
export async function sealCapToken(
  p: CryptoProvider,
  keys: CapTokenKeys,
  data: Omit<CapTokenData, "tokenOpaque">,
  opaque: CapTokenOpaque,
): Promise<CapToken> {
  const content = encodeDer(CapTokenData, { ...data, tokenOpaque: encodeDer(CapTokenOpaque, opaque) });
  const signed = await S(p, keys.signer, capTokenTypes.signed, content, { omitCertificates: true });
  return { type: "enc", value: await E(p, keys.decrypter.certificate, capTokenTypes.enveloped, signed) };
}

export type OpenedCapToken =
  | { readonly ok: true; readonly data: CapTokenData; readonly opaque: CapTokenOpaque }
  | {
      readonly ok: false;
      readonly capCode: Extract<CapCode, "capTokenMissing" | "invalidCapToken">;
      readonly reason: string;
    };

const invalid = (reason: string): OpenedCapToken => ({ ok: false, capCode: "invalidCapToken", reason });

/**
 * The gateway opens a CapToken a merchant returned: the empty form is capTokenMissing; the EncX
 * form (never issued here), a token that does not decrypt with the gateway's key, whose signature
 * does not verify, whose signer is not this gateway (same subject, same issuing CA as
 * `keys.signer`), or whose contents do not decode strictly, is invalidCapToken. What the token
 * binds (XID, merchant, amount) is the caller's to compare with the capture item.
 */
export async function openCapToken(
  p: CryptoProvider,
  keys: CapTokenKeys,
  token: CapToken,
): Promise<OpenedCapToken> {
  if (token.type === "none")
    return { ok: false, capCode: "capTokenMissing", reason: "the CapToken is empty" };
  if (token.type !== "enc") return invalid("a CapToken in the EncX form is not issued here");
  let data: CapTokenData;
  let opaque: CapTokenOpaque;
  try {
    const signed = await openE(p, keys.decrypter, token.value, { contentType: capTokenTypes.enveloped });
    const verified = await verifyDecrypted(
      verifyS(p, signed, { contentType: capTokenTypes.signed, knownCertificates: [keys.signer.certificate] }),
    );
    const own = parseSetCertificate(keys.signer.certificate);
    if (!sameParty(parseSetCertificate(verified.signerCertificate), own))
      return invalid("the CapToken was signed by another party than this gateway");
    data = decodeDer(CapTokenData, verified.content, "CapTokenData");
    opaque = decodeDer(CapTokenOpaque, data.tokenOpaque, "CapTokenOpaque");
  } catch {
    return invalid("the CapToken does not open with this gateway's keys");
  }
  return { ok: true, data, opaque };
}

/** What a CapToken must have been issued for: the request item's authorization and transaction, and the merchant sending it. */
export interface CapTokenBinding {
  readonly authRRPID: Uint8Array;
  readonly xid: Uint8Array;
  readonly merID: string;
}

/**
 * `openCapToken`, then what the token binds compared with what the request names: another
 * authorization, transaction or merchant is invalidCapToken. Every request that returns a
 * CapToken (CapReq, CapRevReq/CredReq/CredRevReq, AuthRevReq) judges it here.
 */
export async function openCapTokenFor(
  p: CryptoProvider,
  keys: CapTokenKeys,
  token: CapToken,
  bound: CapTokenBinding,
): Promise<OpenedCapToken> {
  const opened = await openCapToken(p, keys, token);
  if (!opened.ok) return opened;
  if (!bytesEqual(opened.data.authRRPID, bound.authRRPID))
    return invalid("the CapToken was issued for another authorization");
  if (!bytesEqual(opened.opaque.xid, bound.xid))
    return invalid("the CapToken was issued for another transaction");
  if (opened.opaque.merchantID !== bound.merID) return invalid("the CapToken was issued to another merchant");
  return opened;
}
