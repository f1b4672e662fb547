/**
 * The gateway's policy choices SET leaves to the acquirer and brand (digest 6, "Gateway";
 * purchase-flow initiation object `unsignedAllowed`).
 */
export interface AuthorizationPolicy {
  /**
   * Brands that accept the unsigned PI (PIUnsigned, no cardholder certificate). Others answer
   * AuthCode cardCertRequired. Lab default: MasterCard allows it, Visa requires certificates.
   */
  readonly unsignedAllowed: readonly string[];
  /**
   * Brands whose PIs must carry the hardened ProfileBinding (gateway and merchant thumbs under
   * the dual signature). A PI that carries one is always checked, whatever this says.
   */
  readonly hardenedRequired: readonly string[];
  /** How far the AuthReq header date may be from the gateway's clock (messageTooOld/New). */
  readonly maxClockSkewMs: number;
  /** PIHead extensions (OIDs) the gateway understands. */
  readonly understoodExtensions: readonly string[];
}

export const defaultPolicy: AuthorizationPolicy = {
  unsignedAllowed: ["MasterCard"],
  hardenedRequired: [],
  maxClockSkewMs: 15 * 60_000,
  understoodExtensions: [],
};
