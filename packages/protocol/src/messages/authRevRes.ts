/**
 * AuthRevRes = EncB(P, M, AuthRevResData, AuthRevResBaggage), a row of encBMessages.ts: the
 * gateway's answer to an AuthRevReq, sealed to the merchant's key-exchange certificate. For an
 * authorization reduced (not cancelled) the baggage carries the new CapToken, for the new amount,
 * and AuthResPayloadNew the approval as it now stands. The merchant opens it with its key-exchange
 * key: decrypt, verify the gateway's signature and the baggage linkage (any failure is the one
 * generic decryption error), check the gateway's certificate (pgwy, signature, chain, brand when
 * given), refuse a carried certificate off its path, decode AuthRevResData strictly.
 */
import type { AuthRevResBaggage, AuthRevResData } from "../schema/payment";
import { asOpened, encBFunctions, encBMessages, type OpenedEncBMessage } from "./encBMessages";

export type OpenedAuthRevRes = OpenedEncBMessage<AuthRevResData, AuthRevResBaggage, "gateway">;

export const { seal: sealAuthRevRes, open: openAuthRevRes } = encBFunctions(
  encBMessages.AuthRevRes,
  asOpened,
);
