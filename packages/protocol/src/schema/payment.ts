/**
 * Payment messages between merchant and gateway (module section "payment"): authorization,
 * capture, credit, their reversals, gateway certificate request and batch administration
 * (digest sections 3.5 and 3.7).
 *
 * SET's compound operators appear as the containers they produce. EncB{s,r,t,b} is a pair: the
 * envelope (which signs and encrypts L(t, b)) and the baggage b in the clear beside it; the
 * receiver recomputes DD(b) and compares it with the digest inside the envelope.
 */

import type { Infer } from "../asn1/codec";
import {
  anyDer,
  choice,
  explicit,
  implicit,
  named,
  optional,
  sequence,
  sequenceOf,
} from "../asn1/constructed";
import { nullValue } from "../asn1/primitives";
import { EncryptedMessage, EnvelopedMessage, SignedMessage } from "./common";

export const ubPayment = {
  /** Authorizations captured, reversed or credited in one request (DECISION). */
  items: 256,
} as const;

// ------------------------------------------------------------------------------------------
// Tokens and baggage (opaque to the merchant)

/**
 * CapToken: gateway-to-gateway state the merchant returns with a capture. Enc or EncX (the latter
 * carries PANToken in its RSA-OAEP block), or empty when the gateway keeps the state itself.
 */
export const CapToken = named(
  "CapToken",
  choice({
    enc: explicit(0, EnvelopedMessage),
    encX: explicit(1, EnvelopedMessage),
    none: implicit(2, nullValue()),
  }),
);
export type CapToken = Infer<typeof CapToken>;

export const CapTokenSeq = named("CapTokenSeq", sequenceOf(CapToken, { min: 1, max: ubPayment.items }));

/** AuthToken: state for a follow-on or recurring authorization, sealed by and for the gateway. */
export const AuthToken = named(
  "AuthToken",
  choice({
    enc: explicit(0, EnvelopedMessage),
    encX: explicit(1, EnvelopedMessage),
  }),
);
export type AuthToken = Infer<typeof AuthToken>;

/** AcqCardMsg: EncK(AcqBackKeyData, P, AcqCardCodeMsg), for the cardholder; the merchant copies it. */
export const AcqCardMsg = named("AcqCardMsg", EncryptedMessage);

export const AuthResBaggage = named(
  "AuthResBaggage",
  sequence({
    capToken: optional(explicit(0, CapToken)),
    acqCardMsg: optional(explicit(1, AcqCardMsg)),
    authToken: optional(explicit(2, AuthToken)),
  }),
);
export type AuthResBaggage = Infer<typeof AuthResBaggage>;

/** The PI comes first: it is an open type whose tag may collide with the optional CapToken's. */
export const AuthRevReqBaggage = named(
  "AuthRevReqBaggage",
  sequence({
    pi: anyDer(),
    capToken: optional(explicit(0, CapToken)),
  }),
);

export const AuthRevResBaggage = named(
  "AuthRevResBaggage",
  sequence({
    capTokenNew: optional(explicit(0, CapToken)),
    authTokenNew: optional(explicit(1, AuthToken)),
  }),
);

// ------------------------------------------------------------------------------------------
// Messages (alternatives of the Message CHOICE)

/**
 * AuthReq = EncB(M, P, AuthReqData, PI). The PI (PIDualSigned, PIUnsigned or AuthToken) is kept
 * as its DER so that the merchant forwards the cardholder's bytes unchanged; the gateway decodes
 * it as PI.
 */
export const AuthReq = named(
  "AuthReq",
  sequence({
    authReqEnvelope: EnvelopedMessage,
    pi: anyDer(),
  }),
);
export type AuthReq = Infer<typeof AuthReq>;

/** The EncB pair behind both AuthRes forms (EncBX differs only in its RSA-OAEP block). */
export const AuthResEncB = named(
  "AuthResEncB",
  sequence({
    authResEnvelope: EnvelopedMessage,
    authResBaggage: AuthResBaggage,
  }),
);

/** AuthRes = EncB(P, M, AuthResData, AuthResBaggage), or EncBX(...) returning PANToken to M. */
export const AuthRes = named(
  "AuthRes",
  choice({
    encB: implicit(0, AuthResEncB),
    encBX: implicit(1, AuthResEncB),
  }),
);
export type AuthRes = Infer<typeof AuthRes>;

/** AuthRevReq = EncB(M, P, AuthRevReqData, AuthRevReqBaggage). */
export const AuthRevReq = named(
  "AuthRevReq",
  sequence({
    authRevReqEnvelope: EnvelopedMessage,
    authRevReqBaggage: AuthRevReqBaggage,
  }),
);

/** AuthRevRes = EncB(P, M, AuthRevResData, AuthRevResBaggage). */
export const AuthRevRes = named(
  "AuthRevRes",
  sequence({
    authRevResEnvelope: EnvelopedMessage,
    authRevResBaggage: AuthRevResBaggage,
  }),
);

/** The pair shared by capture, capture reversal, credit and credit reversal requests. */
export const CapEncB = named(
  "CapEncB",
  sequence({
    envelope: EnvelopedMessage,
    capTokenSeq: CapTokenSeq,
  }),
);

const capFamilyRequest = (name: string) =>
  named(name, choice({ encB: implicit(0, CapEncB), encBX: implicit(1, CapEncB) }));

/** CapReq = EncB(M, P, CapReqData, CapTokenSeq), or EncBX(...) with PANToken for P. */
export const CapReq = capFamilyRequest("CapReq");
/** CapRevReq: as CapReq, the envelope holding CapRevOrCredReqData. */
export const CapRevReq = capFamilyRequest("CapRevReq");
/** CredReq: as CapReq, the envelope holding CapRevOrCredReqData. */
export const CredReq = capFamilyRequest("CredReq");
/** CredRevReq: as CapReq, the envelope holding CapRevOrCredReqData. */
export const CredRevReq = capFamilyRequest("CredRevReq");
export type CapReq = Infer<typeof CapReq>;

/** CapRes = Enc(P, M, CapResData). */
export const CapRes = named("CapRes", EnvelopedMessage);
/** CapRevRes = Enc(P, M, CapRevOrCredResData). */
export const CapRevRes = named("CapRevRes", EnvelopedMessage);
/** CredRes = Enc(P, M, CapRevOrCredResData). */
export const CredRes = named("CredRes", EnvelopedMessage);
/** CredRevRes = Enc(P, M, CapRevOrCredResData). */
export const CredRevRes = named("CredRevRes", EnvelopedMessage);

/** PCertReq = S(M, PCertReqData). */
export const PCertReq = named("PCertReq", SignedMessage);
/** PCertRes = S(P, PCertResTBS). */
export const PCertRes = named("PCertRes", SignedMessage);

/** BatchAdminReq = Enc(M, P, BatchAdminReqData). */
export const BatchAdminReq = named("BatchAdminReq", EnvelopedMessage);
/** BatchAdminRes = Enc(P, M, BatchAdminResData). */
export const BatchAdminRes = named("BatchAdminRes", EnvelopedMessage);
