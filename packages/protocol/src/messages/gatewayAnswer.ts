/**
 * The first checks of every answer the merchant receives from its gateway (AuthRes, AuthRevRes,
 * CapRes, CapRevRes/CredRes/CredRevRes, BatchAdminRes): the message type, the envelope opened,
 * and the signer the very gateway the request was sealed to.
 */
import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import type { MessageHeader } from "../schema/header";
import type { MessageType } from "../schema/message";
import { asRead, type BodyOf, bodyOf, type Incoming } from "./incoming";
import { checkWrapperIds, type ProtectedIds } from "./wrapperIds";

export interface GatewayAnswerReceiver {
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

export interface GatewayAnswerExpectations {
  readonly brand?: string;
  /** The gateway key-exchange certificate (DER) the request was sealed to: its gateway must sign. */
  readonly gateway: Uint8Array;
}

/** An answer that passed `openGatewayAnswer`: its data, its signing gateway, its header. */
export interface GatewayAnswer<Data> {
  readonly data: Data;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
}

/** One kind of answer: its message type, SET's names of it and of its request, how it opens. */
export interface GatewayAnswerKind<
  T extends MessageType,
  Opened extends { readonly gateway: SetCertificate },
> {
  readonly type: T;
  readonly answer: string;
  readonly request: string;
  readonly open: (
    p: CryptoProvider,
    merchant: Decrypter,
    body: BodyOf<T>,
    trust: Trust,
    options: { brand?: string },
  ) => Promise<Opened>;
}

export const gatewayAnswerKind = <T extends MessageType, Opened extends { readonly gateway: SetCertificate }>(
  type: T,
  answer: string,
  request: string,
  open: GatewayAnswerKind<T, Opened>["open"],
): GatewayAnswerKind<T, Opened> => ({ type, answer, request, open });

/**
 * Reads the message; takes its body of the kind's type (an Error is the gateway's answer:
 * RemoteSetError; another type messageNotSupported, both checked against the gateway's pgwy
 * certificate of the brand); opens it; then refuses a signer other than the gateway the request
 * was sealed to (invalidCertificate, naming the signer).
 */
export async function openGatewayAnswer<
  T extends MessageType,
  Opened extends { readonly gateway: SetCertificate },
>(
  p: CryptoProvider,
  message: Incoming,
  kind: GatewayAnswerKind<T, Opened>,
  expected: GatewayAnswerExpectations,
  receiver: GatewayAnswerReceiver,
): Promise<{ readonly header: MessageHeader; readonly opened: Opened }> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const brand = expected.brand !== undefined ? { brand: expected.brand } : {};
  const body = await bodyOf(p, wrapper, kind.type, { trust: receiver.trust, roles: ["pgwy"], ...brand });
  const opened = await kind.open(p, receiver.decrypter, body, receiver.trust, brand);
  const { gateway } = opened;
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        `the ${kind.answer} is signed by another gateway than the one the ${kind.request} was sealed to`,
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  return { header: wrapper.messageHeader, opened };
}

/**
 * Header ids against the body (wrapperMsgMismatch), then the answer's RRPID the one of our
 * request (unknownRRPID, `text` and `where` as the answer names them).
 */
export function checkAnswerIds(
  header: MessageHeader,
  ids: ProtectedIds,
  rrpid: Uint8Array,
  expectedRRPID: Uint8Array,
  text: string,
  where: string,
): void {
  checkWrapperIds(header, ids);
  if (!bytesEqual(rrpid, expectedRRPID)) throw new SetError("unknownRRPID", text, where);
}
