/**
 * CapRes = Enc(P, M, CapResData), a row of encMessages.ts: the gateway's answer to a CapReq, one
 * CapResItem per CapItem, sealed to the key-exchange certificate the CapReq carried. The merchant
 * opens it with its key-exchange key: decrypt and verify the gateway's signature (any failure is
 * the one generic decryption error), check the gateway's certificate (pgwy, signature, chain,
 * brand when given), refuse a carried certificate off its path, decode CapResData strictly.
 */
import type { CapResData } from "../schema/payment";
import { encFunctions, encMessages, type OpenedEncMessage } from "./encMessages";

export type OpenedCapRes = OpenedEncMessage<CapResData, "gateway">;

export const { seal: sealCapRes, open: openCapRes } = encFunctions(encMessages.CapRes);
