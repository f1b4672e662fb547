/**
 * What a merchant needs to take SET payments, per brand: its keys and certificates, the gateway
 * it sends that brand's authorizations to (patent step S31: the gateway's key-exchange certificate
 * comes from configuration), and the brand's policy on unsigned purchase requests.
 */
import type { Decrypter, Signer, ValidatedChainCache } from "@setlab/protocol";

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
  /** Refuse the unsigned PReq form (cardCertRequired). The lab: Visa true, MasterCard false. */
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
}

/** The lab's brand policy: Visa requires a cardholder certificate, MasterCard accepts the unsigned form. */
export const labCardCertRequired = (brandID: string): boolean => brandID !== "MasterCard";

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
