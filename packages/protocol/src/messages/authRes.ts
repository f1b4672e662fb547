/**
 * AuthRes = EncB(P, M, AuthResData, AuthResBaggage) (patent steps S50-S52), a row of
 * encBMessages.ts. The merchant opens it with its key-exchange key: decrypt, verify the gateway's
 * signature, check the baggage linkage (any failure of these three, the signature included, is the
 * one generic decryption error), check the gateway certificate (pgwy, signature, chain, brand when
 * given) and refuse a carried certificate off its path. The EncBX form (PANToken for the merchant)
 * is refused with messageNotSupported.
 */
import type { AuthResBaggage, AuthResData } from "../schema/payment";
import { asOpened, encBFunctions, encBMessages, type OpenedEncBMessage } from "./encBMessages";

export type OpenedAuthRes = OpenedEncBMessage<AuthResData, AuthResBaggage, "gateway">;

export const { seal: sealAuthRes, open: openAuthRes } = encBFunctions(encBMessages.AuthRes, asOpened);
