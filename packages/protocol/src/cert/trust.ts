/**
 * A verifier's Trust: what a certificate path is judged against. Every receive function takes one;
 * the merchant, the gateway and the card each build theirs from their own configuration.
 */
import type { RevocationInput } from "./revocation";
import type { ValidatedChainCache } from "./validatedChainCache";

/** Where a verifier anchors trust: the pinned SET root, CA certificates it may use, and the time of checking. */
export interface Trust {
  readonly pinnedRoot: Uint8Array;
  /** CA certificates (DER) beyond those the message carries. */
  readonly intermediates?: readonly Uint8Array[];
  readonly at: Date;
  /**
   * Chains this verifier already accepted, so the next message from the same cardholder skips
   * the chain work (never its own signature check). Absent: every message validates its chain.
   */
  readonly chainCache?: ValidatedChainCache;
  /**
   * Revocation material by BrandID: the brand's current BCI and the CRLs on offer (prepare it
   * once with `prepareRevocation`). Present: every path of a brand is checked against the CRLs
   * its BCI names (revokedCertificate), and a brand without material is refused. Absent: no
   * revocation check.
   */
  readonly revocation?: Readonly<Record<string, Omit<RevocationInput, "at">>>;
}

/** One brand's revocation material, prepared once: its verified BCI and the CRLs on offer. */
export type Revocation = Omit<RevocationInput, "at">;
