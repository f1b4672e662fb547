/**
 * Who signed a message sealed between merchant and gateway (Enc or EncB), and how each is judged:
 * a merchant by `checkMerchantCertificates` (its key-exchange certificate carried is where the
 * answer goes), the gateway by `checkGatewaySigner`. Failures keep their codes and name the
 * certificate (errorThumb).
 */
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import type { VerifiedSignature } from "../crypto/signedMessage";
import { checkGatewaySigner, type GatewaySigner } from "./gatewaySigner";
import { checkMerchantCertificates, type MerchantCertificates } from "./merchantCertificates";

export type SealedSender = "merchant" | "gateway";

/** What judging each sender gives. */
export interface SenderCertificates {
  readonly merchant: MerchantCertificates;
  readonly gateway: GatewaySigner;
}

/** `message` is SET's name of the message, for errors and `where`; `brand` the one it was sealed for. */
export const checkSender: {
  readonly [S in SealedSender]: (
    p: CryptoProvider,
    signed: VerifiedSignature,
    trust: Trust,
    message: string,
    brand: string | undefined,
  ) => Promise<SenderCertificates[S]>;
} = {
  merchant: (p, signed, trust, message, brand) =>
    checkMerchantCertificates(p, signed.signerCertificate, signed.certificates, trust, {
      ...(brand !== undefined ? { brand } : {}),
      message,
    }),
  gateway: checkGatewaySigner,
};

export interface OpenSealedOptions {
  /** The brand the message was sealed for: the signer's certificates must be of it. */
  readonly brand?: string;
}
