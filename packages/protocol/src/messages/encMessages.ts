/**
 * The messages carried as Enc(s, r, t) between merchant and gateway (digest 3.7): BatchAdminReq
 * from the merchant, CapRes, CapRevRes, CredRes, CredRevRes and BatchAdminRes from the gateway.
 * They differ only in their content types, the type of t, and who signs; one row per message says
 * that, and `encFunctions` seals and opens every one of them alike. Opening: decrypt and verify
 * the signature (any failure is the one generic decryption error), judge the signer
 * (`checkSender`), decode t strictly.
 */
import { type Codec, decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import { Enc, type SignedEnvelopeTypes } from "../crypto/enc";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import { BatchAdminReqData, BatchAdminResData, CapResData, CapRevOrCredResData } from "../schema/payment";
import { openSealedEnc } from "./checks";
import {
  checkSender,
  type OpenSealedOptions,
  type SealedSender,
  type SenderCertificates,
} from "./sealedSender";

/** One Enc message: D its data t, S who signs it. On the wire it is the EnvelopedData itself. */
export interface EncMessage<D, S extends SealedSender> {
  /** SET's name of the message, for errors and `where`. */
  readonly name: string;
  readonly sender: S;
  readonly types: SignedEnvelopeTypes;
  readonly data: Codec<D>;
}

/** What opening gives: the data and the signer as judged. */
export type OpenedEncMessage<D, S extends SealedSender> = { readonly data: D } & SenderCertificates[S];

/** A row's seal and open. */
export const encFunctions = <D, S extends SealedSender>(row: EncMessage<D, S>) => ({
  seal: (
    p: CryptoProvider,
    signer: Signer,
    recipientKexCertificate: Uint8Array,
    data: D,
  ): Promise<Uint8Array> => Enc(p, signer, recipientKexCertificate, row.types, encodeDer(row.data, data)),
  open: async (
    p: CryptoProvider,
    recipient: Decrypter,
    message: Uint8Array,
    trust: Trust,
    options: OpenSealedOptions = {},
  ): Promise<OpenedEncMessage<D, S>> => {
    const opened = await openSealedEnc(p, recipient, message, row.types);
    const signer = await checkSender[row.sender](p, opened, trust, row.name, options.brand);
    return { data: decodeDer(row.data, opened.content), ...signer };
  },
});

const row = <D, S extends SealedSender>(r: EncMessage<D, S>) => r;

const fromGateway = <D>(name: string, signed: string, enveloped: string, data: Codec<D>) =>
  row({ name, sender: "gateway", types: { signed, enveloped }, data });

export const encMessages = {
  /** BatchAdminReq = Enc(M, P, BatchAdminReqData): the merchant's key-exchange certificate rides with its signature. */
  BatchAdminReq: row({
    name: "BatchAdminReq",
    sender: "merchant",
    types: { signed: ContentType.BatchAdminReqData, enveloped: ContentType.BatchAdminReqTBE },
    data: BatchAdminReqData,
  }),
  /** BatchAdminRes = Enc(P, M, BatchAdminResData). */
  BatchAdminRes: fromGateway(
    "BatchAdminRes",
    ContentType.BatchAdminResData,
    ContentType.BatchAdminResTBE,
    BatchAdminResData,
  ),
  /** CapRes = Enc(P, M, CapResData): one CapResItem per CapItem. */
  CapRes: fromGateway("CapRes", ContentType.CapResData, ContentType.CapResTBE, CapResData),
  /** CapRevRes = Enc(P, M, CapRevOrCredResData). */
  CapRevRes: fromGateway(
    "CapRevRes",
    ContentType.CapRevResData,
    ContentType.CapRevResTBE,
    CapRevOrCredResData,
  ),
  /** CredRes = Enc(P, M, CapRevOrCredResData). */
  CredRes: fromGateway("CredRes", ContentType.CredResData, ContentType.CredResTBE, CapRevOrCredResData),
  /** CredRevRes = Enc(P, M, CapRevOrCredResData). */
  CredRevRes: fromGateway(
    "CredRevRes",
    ContentType.CredRevResData,
    ContentType.CredRevResTBE,
    CapRevOrCredResData,
  ),
};
