/**
 * What a merchant needs to take SET payments, per brand: its keys and certificates, the gateway
 * it sends that brand's authorizations to (patent step S31: the gateway's key-exchange certificate
 * comes from configuration), and the brand's policy on unsigned purchase requests.
 */
import { type Decrypter, parseSetCertificate, type Signer, type ValidatedChainCache } from "@setlab/protocol";

export interface BrandConfig {
  /** BrandID as cards announce it: "Visa", "MasterCard". */
  readonly brandID: string;
  /**
   * BIN prefixes this entry serves; absent: every BIN of the brand. Entries are tried in order,
   * so a brand can send some BIN ranges to another gateway.
   */
  readonly bins?: readonly string[];
  /** Signs PInitRes and PRes: the merchant signature certificate with its CA chain. */
  readonly signer: Signer;
  /**
   * Signs AuthReq: the same key, but the chain also carries the merchant key-exchange certificate
   * so that the gateway can encrypt AuthRes to it.
   */
  readonly authSigner: Signer;
  /** Opens AuthRes: the merchant key-exchange certificate and key. */
  readonly decrypter: Decrypter;
  /** The chosen gateway: its id for the GatewayClient, its key-exchange certificate and CA chain. */
  readonly gateway: {
    readonly id: string;
    readonly certificate: Uint8Array;
    readonly chain?: readonly Uint8Array[];
  };
  /**
   * Refuse the unsigned PReq form even where the brand allows it. Configuration can only tighten
   * the brand's policy, which the gateway certificate's cardCertRequired states
   * (`requiresCardholderCertificate`).
   */
  readonly cardCertRequired: boolean;
}

export interface MerchantConfig {
  readonly brands: readonly BrandConfig[];
  /** MerTermIDs.merchantID: the merID of the merchant certificate. */
  readonly merchantID: string;
  /** The pinned SET root (and any CA certificates to use besides those messages carry). */
  readonly trust: {
    readonly pinnedRoot: Uint8Array;
    readonly intermediates?: readonly Uint8Array[];
    readonly chainCache?: ValidatedChainCache;
  };
  /** SWIdent of every message header. */
  readonly swIdent?: string;
  /** How far a new request's header date may be from the merchant's clock; default 15 minutes. */
  readonly maxClockSkewMs?: number;
  /** Message extensions (OIDs) this merchant understands. */
  readonly understoodExtensions?: readonly string[];
  /** How long a PInitRes's XID waits for its PReq; default 30 minutes (`issuedPurchases.ts`). */
  readonly pInitResLifetimeMs?: number;
  /** Authorization attempts one order takes (`purchaseAttempts.ts`); default 3 and 3. */
  readonly attemptLimits?: AttemptLimits;
  /**
   * Sell rather than authorize: every AuthReq asks for CaptureNow, so an approval is captured at
   * once (a merchant that delivers at checkout, such as digital goods). Default false.
   */
  readonly captureNow?: boolean;
  /**
   * How the second embodiment asks for the card information (claims 7-8): under the session key,
   * which the merchant opens ("sessionKey", the default), or sealed to the brand's gateway
   * key-exchange certificate, which the merchant forwards unopened ("cardCompany").
   */
  readonly embodiment2CardInfo?: "sessionKey" | "cardCompany";
}

export interface AttemptLimits {
  /** Unsigned PReqs, all senders together: nothing tells their senders apart. */
  readonly unsigned: number;
  /** Signed PReqs per cardholder certificate. */
  readonly perCardholder: number;
}

/**
 * Whether this entry refuses the unsigned PReq: the brand requires cardholder certificates (its
 * gateway's certificate says cardCertRequired TRUE) or configuration tightens it. A gateway
 * certificate without the extension leaves the choice to configuration.
 */
export function requiresCardholderCertificate(brand: BrandConfig): boolean {
  return brand.cardCertRequired || parseSetCertificate(brand.gateway.certificate).cardCertRequired === true;
}

/** The first entry for this brand whose BIN prefixes cover `bin`. */
export function gatewayFor(config: MerchantConfig, brandID: string, bin: string): BrandConfig | undefined {
  return config.brands.find(
    (b) => b.brandID === brandID && (b.bins === undefined || b.bins.some((prefix) => bin.startsWith(prefix))),
  );
}

/** The distinct BrandIDs this merchant accepts, in configuration order. */
export const acceptedBrands = (config: MerchantConfig): string[] => [
  ...new Set(config.brands.map((b) => b.brandID)),
];
