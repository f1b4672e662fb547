/**
 * MessageWrapper and the Message CHOICE (module section "wrapper", digest 3.1): the one shape
 * every SET message has on the wire, and the receiver's first checks in the order digest 6
 * gives them: strict DER, then the header's version, then the message type, then the body.
 */
import {
  type Codec,
  codecOf,
  decodeNode,
  decodeOwnedDer,
  encodeDer,
  type Infer,
  type Node,
  nodeBytes,
  nodeTag,
} from "../asn1/codec";
import { choice, explicit, implicit, named, optional, sequence } from "../asn1/constructed";
import { describeTag } from "../asn1/tlv";
import { DecodeError } from "../errors";
import { checkCriticalExtensions, MsgExtensions } from "./common";
import { ErrorMessage } from "./error";
import { checkHeader, MessageHeader } from "./header";
import {
  AuthReq,
  AuthRes,
  AuthRevReq,
  AuthRevRes,
  BatchAdminReq,
  BatchAdminRes,
  CapReq,
  CapRes,
  CapRevReq,
  CapRevRes,
  CredReq,
  CredRes,
  CredRevReq,
  CredRevRes,
  PCertReq,
  PCertRes,
} from "./payment";
import { InqReq, InqRes, PInitReq, PInitRes, PReq, PRes } from "./purchase";
import {
  CardCInitReq,
  CardCInitRes,
  CertInqReq,
  CertInqRes,
  CertReq,
  CertRes,
  MeAqCInitReq,
  MeAqCInitRes,
  RegFormReq,
  RegFormRes,
} from "./registration";

export { checkHeader, MessageHeader, MessageIDs, setVersion } from "./header";

/** The Message CHOICE's alternatives, by type name. */
const messageAlternatives = {
  purchaseInitRequest: explicit(0, PInitReq),
  purchaseInitResponse: explicit(1, PInitRes),
  purchaseRequest: explicit(2, PReq),
  purchaseResponse: explicit(3, PRes),
  inquiryRequest: explicit(4, InqReq),
  inquiryResponse: explicit(5, InqRes),
  authorizationRequest: explicit(6, AuthReq),
  authorizationResponse: explicit(7, AuthRes),
  authReversalRequest: explicit(8, AuthRevReq),
  authReversalResponse: explicit(9, AuthRevRes),
  captureRequest: explicit(10, CapReq),
  captureResponse: explicit(11, CapRes),
  captureReversalRequest: explicit(12, CapRevReq),
  captureReversalResponse: explicit(13, CapRevRes),
  creditRequest: explicit(14, CredReq),
  creditResponse: explicit(15, CredRes),
  creditReversalRequest: explicit(16, CredRevReq),
  creditReversalResponse: explicit(17, CredRevRes),
  pCertificateRequest: explicit(18, PCertReq),
  pCertificateResponse: explicit(19, PCertRes),
  batchAdministrationRequest: explicit(20, BatchAdminReq),
  batchAdministrationResponse: explicit(21, BatchAdminRes),
  cardholderCInitRequest: explicit(22, CardCInitReq),
  cardholderCInitResponse: explicit(23, CardCInitRes),
  meAqCInitRequest: explicit(24, MeAqCInitReq),
  meAqCInitResponse: explicit(25, MeAqCInitRes),
  registrationFormRequest: explicit(26, RegFormReq),
  registrationFormResponse: explicit(27, RegFormRes),
  certificateRequest: explicit(28, CertReq),
  certificateResponse: explicit(29, CertRes),
  certificateInquiryRequest: explicit(30, CertInqReq),
  certificateInquiryResponse: explicit(31, CertInqRes),
  error: explicit(999, ErrorMessage),
};

export const Message = named("Message", choice(messageAlternatives));
export type Message = Infer<typeof Message>;
export type MessageType = Message["type"];

export const MessageWrapper = named(
  "MessageWrapper",
  sequence({
    messageHeader: MessageHeader,
    message: explicit(0, Message),
    mwExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type MessageWrapper = Infer<typeof MessageWrapper>;

/**
 * The message as the reader's node: the wrapper's walk (`readDer`) has already checked every
 * byte of it, so the body is decoded from that node, neither copied nor walked again.
 */
const messageNode = codecOf<Node>({
  tags: null,
  spec: { kind: "any" },
  write(w, node) {
    w.bytes(node.bytes);
  },
  decode: (node) => node,
});

/**
 * The wrapper with its message left undecoded: read first, so that the header's version and
 * the message's type are judged before the body, whose syntax may differ in another version.
 */
const OuterWrapper: Codec<{
  messageHeader: MessageHeader;
  message: Node;
  mwExtensions?: MsgExtensions;
}> = sequence({
  messageHeader: MessageHeader,
  message: explicit(0, messageNode),
  mwExtensions: optional(implicit(1, MsgExtensions)),
});

/** Each alternative's EXPLICIT tag, to its type name. */
const messageTypeByTag = new Map(
  Object.entries(messageAlternatives).map(([type, codec]) => [
    codec.tag,
    type as keyof typeof messageAlternatives,
  ]),
);

export function encodeMessage(wrapper: MessageWrapper): Uint8Array {
  return encodeDer(MessageWrapper, wrapper);
}

/**
 * Strict DER decode of a whole SET message (digest 6, rule 1): decodingFailure for bad DER,
 * versionTooOld/versionTooNew for another SET version, unrecognizedExtension for a critical
 * wrapper extension outside `understoodExtensions`, messageNotSupported for a message type
 * outside the Message CHOICE, decodingFailure again for a malformed body.
 */
export function decodeMessage(
  bytes: Uint8Array,
  understoodExtensions: readonly string[] = [],
): MessageWrapper {
  const { outer } = readOuter(bytes, understoodExtensions);
  const message = decodeNode(Message, outer.message, "MessageWrapper.message");
  return { ...outer, message };
}

/** A message's wrapper decoded and checked, its body left as DER; its type named. */
export interface MessageShape {
  readonly messageHeader: MessageHeader;
  readonly type: MessageType;
  /** The message's DER (the Message CHOICE's alternative, with its EXPLICIT tag). */
  readonly body: Uint8Array;
}

/**
 * `decodeMessage`'s checks up to the body, which is not decoded: for a relay that passes the
 * body on to a party that decodes and checks all of it (the mediator, for the card). A body that
 * does not decode is that party's to refuse.
 */
export function decodeMessageShape(
  bytes: Uint8Array,
  understoodExtensions: readonly string[] = [],
): MessageShape {
  const { outer, type } = readOuter(bytes, understoodExtensions);
  return { messageHeader: outer.messageHeader, type, body: nodeBytes(outer.message) };
}

function readOuter(bytes: Uint8Array, understoodExtensions: readonly string[]) {
  // A private copy, so the message's byte values can be views on it (`decodeOwnedDer`).
  const outer = decodeOwnedDer(OuterWrapper, new Uint8Array(bytes), "MessageWrapper");
  checkHeader(outer.messageHeader);
  checkCriticalExtensions(outer.mwExtensions, understoodExtensions, "MessageWrapper.mwExtensions");
  const found = nodeTag(outer.message);
  const type = messageTypeByTag.get(found);
  if (type === undefined)
    throw new DecodeError(
      "messageNotSupported",
      `no SET message has tag ${describeTag(found)}`,
      "MessageWrapper.message",
    );
  return { outer, type };
}
