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
  /**
   * How long the issuer simulator holds an approved amount against the account; once lapsed, the
   * hold no longer counts against the credit limit. Real issuers release an authorization hold
   * that is never captured after days (7 by default here).
   */
  readonly holdLifetimeMs: number;
  /**
   * The same for a partial approval. It lapses sooner (1 day by default): a buyer approved for
   * less than asked often abandons the purchase, and until the merchant can reverse an
   * authorization (AuthRev) nobody else frees those funds.
   */
  readonly partialHoldLifetimeMs: number;
}

export const defaultPolicy: AuthorizationPolicy = {
  unsignedAllowed: ["MasterCard"],
  hardenedRequired: [],
  maxClockSkewMs: 15 * 60_000,
  understoodExtensions: [],
  holdLifetimeMs: 7 * 24 * 3600_000,
  partialHoldLifetimeMs: 24 * 3600_000,
};
