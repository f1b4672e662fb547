/**
 * AuthToken = Enc(P1, P2, AuthTokenData): what a gateway gives the merchant, in the AuthRes
 * baggage, so the merchant can ask for a later authorization of the same purchase (a split
 * shipment's next part, the next installment or recurring payment) without the cardholder's PI.
 * Signed by the gateway and sealed to its own key-exchange key, like the CapToken: the merchant
 * holds it unread and returns it as the PI of the next AuthReq. SET lets P1 and P2 differ; here
 * both are the same gateway.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate } from "../cert/setCertificate";
import { type SignedEnvelopeTypes, verifyDecrypted } from "../crypto/enc";
import { E, openE } from "../crypto/envelope";
import type { CryptoProvider } from "../crypto/provider";
import { S, verifyS } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { type AuthToken, AuthTokenData, AuthTokenOpaque } from "../schema/payment";
import { InstallRecurData } from "../schema/purchase";
import type { CapTokenKeys } from "./capToken";

export const authTokenTypes: SignedEnvelopeTypes = {
  signed: ContentType.AuthTokenTBS,
  enveloped: ContentType.AuthTokenTBE,
};

/** The gateway that issues and later opens its own AuthTokens: the same keys as its CapTokens. */
export type AuthTokenKeys = CapTokenKeys;

/** AuthToken enc = Enc(P, P, AuthTokenData), authTokenOpaque holding the DER of AuthTokenOpaque. */
export async function sealAuthToken(
  p: CryptoProvider,
  keys: AuthTokenKeys,
  data: Omit<AuthTokenData, "authTokenOpaque">,
  opaque: AuthTokenOpaque,
): Promise<AuthToken> {
  const content = encodeDer(AuthTokenData, {
    ...data,
    authTokenOpaque: encodeDer(AuthTokenOpaque, opaque),
  });
  const signed = await S(p, keys.signer, authTokenTypes.signed, content, { omitCertificates: true });
  return { type: "enc", value: await E(p, keys.decrypter.certificate, authTokenTypes.enveloped, signed) };
}

export type OpenedAuthToken =
  | {
      readonly ok: true;
      readonly data: AuthTokenData;
      readonly opaque: AuthTokenOpaque;
      /** The cardholder's installment or recurring terms the token carries, decoded. */
      readonly terms?: InstallRecurData;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The gateway opens an AuthToken a merchant returned: the EncX form (never issued here), a token
 * that does not decrypt with the gateway's key, whose signature does not verify, whose signer is
 * not this gateway (same subject, same issuing CA as `keys.signer`), or whose contents do not
 * decode strictly, is refused (the caller answers authTokenRejected). What it binds is judged by
 * the caller (`judgeAuthToken`).
 */
export async function openAuthToken(
  p: CryptoProvider,
  keys: AuthTokenKeys,
  token: AuthToken,
): Promise<OpenedAuthToken> {
  if (token.type !== "enc") return { ok: false, reason: "an AuthToken in the EncX form is not issued here" };
  try {
    const signed = await openE(p, keys.decrypter, token.value, { contentType: authTokenTypes.enveloped });
    const verified = await verifyDecrypted(
      verifyS(p, signed, {
        contentType: authTokenTypes.signed,
        knownCertificates: [keys.signer.certificate],
      }),
    );
    if (
      !sameParty(
        parseSetCertificate(verified.signerCertificate),
        parseSetCertificate(keys.signer.certificate),
      )
    )
      return { ok: false, reason: "the AuthToken was signed by another party than this gateway" };
    const data = decodeDer(AuthTokenData, verified.content, "AuthTokenData");
    if (!data.authTokenOpaque) return { ok: false, reason: "the AuthToken carries no gateway state" };
    const opaque = decodeDer(AuthTokenOpaque, data.authTokenOpaque, "AuthTokenOpaque");
    const terms = data.installRecurData
      ? decodeDer(InstallRecurData, data.installRecurData, "AuthTokenData.installRecurData")
      : undefined;
    return { ok: true, data, opaque, ...(terms ? { terms } : {}) };
  } catch {
    return { ok: false, reason: "the AuthToken does not open with this gateway's keys" };
  }
}
