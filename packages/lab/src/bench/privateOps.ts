/**
 * The RSA private-key operations one approved dual-signed purchase needs, party by party, read off
 * the code path (happy path; SET Errors would add a signature each):
 * - card (wallet-card `buildCardPReq` -> protocol `buildPReqDualSigned`): the dual signature, one
 *   signature; EX(P, PI-OILink, PANData) to the gateway is an OAEP encryption (public key).
 * - merchant (merchant-server `pInitReqHandler`, `pReqHandler`, `authorization`): `signPInitRes`
 *   S(M, PInitResData); `sealAuthReq` EncB signs AuthReqData; `openAuthRes` decrypts the AuthRes
 *   envelope; `signPRes` S(M, PResData).
 * - gateway (acquirer-server `Gateway`): `openAuthReq` decrypts the AuthReq envelope;
 *   `openPIDualSigned` decrypts the PI's EX block; `sealAuthRes` EncB signs AuthResData;
 *   `sealCapToken` signs the approval's CapToken (Enc(P, P, CapTokenData): sealed to its own key,
 *   a public-key encryption).
 * Every party also verifies signatures and certificate chains (public-key operations, tens of
 * times cheaper each) and encrypts to the peer's key-exchange certificate.
 */
import type { StackRates } from "./rawCrypto";

export type CryptoParty = "phone" | "merchant" | "gateway";

export interface PrivateOps {
  readonly party: CryptoParty;
  /** The crypto stack the party's process runs. */
  readonly stack: "node" | "peculiar";
  readonly signs: number;
  readonly decrypts: number;
  readonly what: string;
}

export const privateOpsPerPurchase: readonly PrivateOps[] = [
  { party: "phone", stack: "peculiar", signs: 1, decrypts: 0, what: "dual signature" },
  {
    party: "merchant",
    stack: "node",
    signs: 3,
    decrypts: 1,
    what: "PInitRes sign, AuthReq sign, AuthRes decrypt, PRes sign",
  },
  {
    party: "gateway",
    stack: "node",
    signs: 2,
    decrypts: 2,
    what: "AuthReq decrypt, PI (EX) decrypt, AuthRes sign, CapToken sign",
  },
];

export const totalPrivateOps = (ops: readonly PrivateOps[] = privateOpsPerPurchase): number =>
  ops.reduce((n, o) => n + o.signs + o.decrypts, 0);

/** Milliseconds of raw private-key crypto a party spends per purchase, at the measured rates. */
export function rawMsOf(ops: PrivateOps, rates: { node: StackRates; peculiar: StackRates }): number {
  const r = rates[ops.stack];
  return ops.signs * r.sign.ms + ops.decrypts * r.decrypt.ms;
}
