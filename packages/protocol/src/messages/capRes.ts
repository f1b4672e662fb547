/** CapRes = Enc(P, M, CapResData): the gateway's answer to a CapReq, one CapResItem per CapItem. */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import { Enc, type SignedEnvelopeTypes } from "../crypto/enc";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { type CapRes, CapResData } from "../schema/payment";
import { openSealedEnc } from "./checks";
import { checkGatewaySigner, type GatewaySigner } from "./gatewaySigner";

export const capResTypes: SignedEnvelopeTypes = {
  signed: ContentType.CapResData,
  enveloped: ContentType.CapResTBE,
};

/** CapRes = Enc(P, M, CapResData), sealed to the key-exchange certificate the CapReq carried. */
export function sealCapRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: CapResData,
): Promise<CapRes> {
  return Enc(p, gateway, merchantKexCertificate, capResTypes, encodeDer(CapResData, data));
}

export interface OpenedCapRes extends GatewaySigner {
  readonly data: CapResData;
}

/**
 * The merchant opens a CapRes with its key-exchange key: decrypt and verify the gateway's
 * signature (any failure is the one generic decryption error), check the gateway's certificate
 * (pgwy, signature, chain, brand when given), refuse a carried certificate off its path, decode
 * CapResData strictly.
 */
export async function openCapRes(
  p: CryptoProvider,
  merchant: Decrypter,
  capRes: CapRes,
  trust: Trust,
  options: { brand?: string } = {},
): Promise<OpenedCapRes> {
  const opened = await openSealedEnc(p, merchant, capRes, capResTypes);
  const signer = await checkGatewaySigner(p, opened, trust, "CapRes", options.brand);
  return { data: decodeDer(CapResData, opened.content, "CapResData"), ...signer };
}
