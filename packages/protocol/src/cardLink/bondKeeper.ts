/**
 * Where the PC keeps its card-link bonds beyond one process's memory (docs/card-link.md, "Where
 * the PC keeps a bond"): an OS keyring, never a plain file. A `BondCache` given a keeper looks
 * there for a bond it does not hold, hands it every bond a pairing makes, and tells it when the
 * phone no longer knows a bond. A keeper that fails (no keyring, no permission) only costs a
 * pairing by code: its methods never throw into a purchase.
 */

import type { NewBond } from "../card";

export interface BondKeeper {
  /**
   * The bond kept for the phone at `phone` (HOST:PORT), or undefined. The bytes are the caller's:
   * it imports the link key and wipes them.
   */
  load(phone: string): Promise<NewBond | undefined>;
  /** Keep a copy of `bond` for `phone`, replacing any bond kept for it; the caller wipes its bytes. */
  save(phone: string, bond: NewBond): Promise<void>;
  /** Drop the bond kept for `phone` if it is `bondId` (a newer bond kept meanwhile stays). */
  drop(phone: string, bondId: Uint8Array): Promise<void>;
}
