/**
 * The first checks of every answer the merchant receives from its gateway (AuthRes, AuthRevRes,
 * CapRes, CapRevRes/CredRes/CredRevRes, BatchAdminRes): the message type, the envelope opened,
 * and the signer the very gateway the request was sealed to.
 */
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

/** SET's names of the answer and of the request, for the error when another gateway signed. */
export interface GatewayAnswerNames {
  readonly answer: string;
  readonly request: string;
}

/**
 * Reads the message; takes its body of `type` (an Error is the gateway's answer: RemoteSetError;
 * another type messageNotSupported, both checked against the gateway's pgwy certificate of the
 * brand); `open`s it; then refuses a signer other than the gateway the request was sealed to
 * (invalidCertificate, naming the signer).
 */
export async function openGatewayAnswer<
  T extends MessageType,
  Opened extends { readonly gateway: SetCertificate },
>(
  p: CryptoProvider,
  message: Incoming,
  type: T,
  expected: GatewayAnswerExpectations,
  receiver: GatewayAnswerReceiver,
  names: GatewayAnswerNames,
  open: (body: BodyOf<T>, brand: { brand?: string }) => Promise<Opened>,
): Promise<{ readonly header: MessageHeader; readonly opened: Opened }> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const brand = expected.brand !== undefined ? { brand: expected.brand } : {};
  const body = await bodyOf(p, wrapper, type, { trust: receiver.trust, roles: ["pgwy"], ...brand });
  const opened = await open(body, brand);
  const { gateway } = opened;
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        `the ${names.answer} is signed by another gateway than the one the ${names.request} was sealed to`,
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  return { header: wrapper.messageHeader, opened };
}
