/**
 * The gateway's checks of the payment instruction (digest 2.3 and section 6, "Gateway"). The
 * gateway opens the EX envelope, so it holds PIHead and PANData; it never sees OIData or OD, only
 * their digests, and compares them with the merchant's CheckDigests.
 */
import { type Codec, decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { DD } from "../crypto/digest";
import { type Decrypter, decryptionFailed } from "../crypto/envelopedData";
import { openEXHImplicit, openEXImplicit } from "../crypto/extraEnvelope";
import type { CryptoProvider } from "../crypto/provider";
import { type VerifiedSignature, verifySO } from "../crypto/signedMessage";
import {
  type CertThumb,
  type CurrencyAmount,
  checkCriticalExtensions,
  type DetachedDigest,
  type TransIDs,
} from "../schema/common";
import { ContentType, Std } from "../schema/oids";
import {
  PANData,
  PANToken,
  PI_OILink,
  PI_TBS,
  PIData,
  type PIDualSigned,
  type PIHead,
  type PIUnsigned,
} from "../schema/purchase";
import { checkCardholderCertificate } from "./cardholderCertificate";
import { sameDigest } from "./hod";
import { PurchaseCheckError } from "./purchaseCheck";
import { checkTransIDs } from "./transIDs";

/** What the gateway learns from the merchant's signed AuthReq, to compare with the cardholder's PI. */
export interface AuthorizationContext {
  readonly gatewayKex: Decrypter;
  /** CheckDigests from AuthReqItem: the merchant's own HOIData and HOD. */
  readonly checkDigests: { readonly hOIData: DetachedDigest; readonly hOD2: DetachedDigest };
  /**
   * The merID in the certificate of the merchant that signed the AuthReq: PIHead.MerchantID must
   * equal it (merchantIDMismatch). Absent: the caller compares it itself (receiveAuthReq answers a
   * mismatch with the AuthCode merchantMismatch).
   */
  readonly merchantID?: string;
  /** AuthTags.TransIDs. */
  readonly transIDs: TransIDs;
  readonly authReqAmt: CurrencyAmount;
  /**
   * Hardened profile: PIHead must name these certificates' thumbprints (the gateway's key-exchange
   * certificate and the merchant's signature certificate). `required: false` checks a PIHead that
   * carries a ProfileBinding and lets one without it pass (a brand that does not demand the
   * hardened profile); otherwise the binding is required. Absent: profile `set`, nothing checked.
   */
  readonly hardened?: {
    readonly gatewayThumb: Uint8Array;
    readonly merchantThumb: Uint8Array;
    readonly required?: boolean;
  };
  /** PIHead extensions (OIDs) this gateway understands; a critical one outside the list is refused. */
  readonly understoodExtensions?: readonly string[];
}

export interface OpenedPI {
  readonly piHead: PIHead;
  readonly hOIData: DetachedDigest;
  /** Present for the dual-signed form. */
  readonly panData?: PANData;
  /** Present for the unsigned form. */
  readonly panToken?: PANToken;
  readonly cardholderCertificate?: SetCertificate;
}

const names = (thumb: CertThumb, expected: Uint8Array) =>
  thumb.digestAlgorithm.algorithm === Std.sha256 && bytesEqual(thumb.thumbprint, expected);

/**
 * The comparisons that tie the cardholder's PI to the merchant's AuthReq: extensions, HOIData,
 * HOD, the whole TransIDs (XID: unknownXID, LIDs: unknownLID, any other field:
 * wrapperMsgMismatch), the amount, the hardened binding, and last the MerchantID, so that a
 * merchantIDMismatch means every other check passed (receiveAuthReq answers it with an AuthCode).
 */
function checkAgainstAuthReq(piHead: PIHead, hOIData: DetachedDigest, ctx: AuthorizationContext): void {
  checkCriticalExtensions(piHead.piExtensions, ctx.understoodExtensions ?? [], "PIHead.piExtensions");
  if (!sameDigest(hOIData, ctx.checkDigests.hOIData))
    throw new PurchaseCheckError("hOIDataMismatch", "the merchant's HOIData differs from the cardholder's");
  if (!sameDigest(piHead.inputs.hod, ctx.checkDigests.hOD2))
    throw new PurchaseCheckError("hodMismatch", "the merchant's HOD differs from PIHead.inputs.hod");
  checkTransIDs(piHead.transIDs, ctx.transIDs, "PIHead.transIDs against AuthTags.transIDs");
  const purch = piHead.inputs.purchAmt;
  const asked = ctx.authReqAmt;
  if (asked.currency !== purch.currency || asked.amtExp10 !== purch.amtExp10 || asked.amount > purch.amount)
    throw new PurchaseCheckError("amountMismatch", "AuthReqAmt exceeds or differs in currency from PurchAmt");
  const hardened = ctx.hardened;
  const binding = piHead.profileBinding;
  if (hardened && (binding || hardened.required !== false)) {
    if (
      !binding ||
      !names(binding.gatewayThumb, hardened.gatewayThumb) ||
      !names(binding.merchantThumb, hardened.merchantThumb)
    )
      throw new PurchaseCheckError(
        "profileBindingMismatch",
        "PIHead does not name this gateway's and merchant's certificates",
      );
  }
  if (ctx.merchantID !== undefined && piHead.merchantID !== ctx.merchantID)
    throw new PurchaseCheckError(
      "merchantIDMismatch",
      "PIHead.merchantID is not the requesting merchant's merID",
    );
}

/**
 * Everything between the envelope and a verified dual signature fails as the one generic
 * decryption error: the merchant holds the PI bytes and could flip ciphertext bits; a distinct
 * decodingFailure or signatureFailure for a PI whose padding survived would be a padding oracle
 * on the PAN.
 */
/** The decoded value, or undefined: the caller refuses later, after the steps every refusal takes. */
function decodesAs<T>(codec: Codec<T>, der: Uint8Array): T | undefined {
  try {
    return decodeDer(codec, der);
  } catch {
    return undefined;
  }
}

async function insideEnvelope<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch {
    throw decryptionFailed();
  }
}

/** Open EX(P, PI-OILink, PANData), verify the dual signature from the gateway's side, and tie it to the AuthReq. */
export async function openPIDualSigned(
  p: CryptoProvider,
  pi: PIDualSigned,
  ctx: AuthorizationContext,
  trust: Trust,
): Promise<OpenedPI> {
  const { link, panData, signed } = await insideEnvelope(async () => {
    const opened = await openEXImplicit(p, ctx.gatewayKex, pi.exPIData, {
      contentType: ContentType.PIDualSignedTBE,
      extraContentType: ContentType.PANData,
    });
    const link = decodesAs(PI_OILink, opened.t);
    const panData = decodesAs(PANData, opened.extra);
    // A PI refused at the RSA block, the padding or the inner structure still takes the digest and
    // the dual signature check, over stand-ins, so that it costs what a refused signature costs
    // and the time of the answer does not say which layer failed (threat model, "Timing").
    const piData = link && panData ? encodeDer(PIData, { piHead: link.piHead, panData }) : opened.t;
    const hPIData = await DD(p, piData, ContentType.PIData);
    const piTbs = encodeDer(PI_TBS, { hPIData, hOIData: link?.hOIData ?? hPIData });
    let signed: VerifiedSignature | undefined;
    try {
      signed = await verifySO(p, pi.piSignature, piTbs, { contentType: ContentType.PI_TBS });
    } catch {}
    if (!opened.ok || !link || !panData || !signed) throw decryptionFailed();
    return { link, panData, signed };
  });
  const cardholderCertificate = await checkCardholderCertificate(
    p,
    signed.signerCertificate,
    signed.certificates,
    trust,
  );
  checkAgainstAuthReq(link.piHead, link.hOIData, ctx);
  return { piHead: link.piHead, hOIData: link.hOIData, panData, cardholderCertificate };
}

/** Open EXH(P, PI-OILink, PANToken): integrity only, no cardholder signature. */
export async function openPIUnsigned(
  p: CryptoProvider,
  pi: PIUnsigned,
  ctx: AuthorizationContext,
): Promise<OpenedPI> {
  const { link, panToken } = await insideEnvelope(async () => {
    const opened = await openEXHImplicit(p, ctx.gatewayKex, pi, {
      contentType: ContentType.PIUnsignedTBE,
      extraContentType: ContentType.PANToken,
    });
    // Decoded whatever failed before, as the dual-signed form does (no signature to check here).
    const link = decodesAs(PI_OILink, opened.t);
    const panToken = decodesAs(PANToken, opened.extra);
    if (!opened.ok || !link || !panToken) throw decryptionFailed();
    return { link, panToken };
  });
  checkAgainstAuthReq(link.piHead, link.hOIData, ctx);
  return { piHead: link.piHead, hOIData: link.hOIData, panToken };
}
