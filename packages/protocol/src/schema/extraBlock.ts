/**
 * Module section "crypto": the structures the operators themselves put inside envelopes and
 * signatures (digest 2.1), as opposed to the protocol messages that travel in them.
 */
import type { Infer } from "../asn1/codec";
import { anyDer, explicit, implicit, named, optional, sequence } from "../asn1/constructed";
import { octets } from "../asn1/primitives";
import { DetachedDigest, SignedMessage, ub } from "./common";

/** AES-256 content-encryption key length. */
export const contentKeyLength = 32;

/**
 * What the RSA-OAEP block of EH, EX, EXH, EncX and EncBX carries: SET's "actual data block"
 * (content key, optional hash of the symmetric plaintext, optional extra data such as PANData)
 * as DER instead of SET's fixed byte layout.
 */
export const ExtraBlock = named(
  "ExtraBlock",
  sequence({
    contentKey: octets({ size: contentKeyLength }),
    hash: optional(implicit(0, octets({ size: ub.digest }))),
    extra: optional(explicit(1, anyDer())),
  }),
);
export type ExtraBlock = Infer<typeof ExtraBlock>;

/** L(t1, t2) = {t1, DD(t2)}: carry t1 and a digest that points at t2. */
export const Linkage = named("Linkage", sequence({ t: anyDer(), dd: DetachedDigest }));
export type Linkage = Infer<typeof Linkage>;

/** What EncX's signature SO(s, {t, p}) covers: t together with the extra data p. */
export const EncXTBS = named("EncXTBS", sequence({ t: anyDer(), extra: anyDer() }));
export type EncXTBS = Infer<typeof EncXTBS>;

/** EncX's symmetric plaintext: t and the detached signature over {t, p}; p rides in the ExtraBlock. */
export const EncXTBE = named("EncXTBE", sequence({ t: anyDer(), signature: SignedMessage }));
export type EncXTBE = Infer<typeof EncXTBE>;
