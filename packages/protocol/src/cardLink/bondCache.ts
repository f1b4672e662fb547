/**
 * The PC's card-link bonds (docs/card-link.md): per phone address, the bond a pairing by code left
 * (its id and its link key, a non-extractable HKDF key), held in this process's memory and nowhere
 * else, never in a file. A process that keeps one BondCache (the lab's bench, a long-lived
 * mediator) pairs once per phone and resumes every later connection without a code; a process
 * that ends forgets its bonds, and the phone's copies expire or are revoked there.
 *
 * Connections started together share one pairing: the first pairs, the others wait for it and
 * resume with the bond it made, so a burst of purchases asks for the code once and leaves one bond
 * on the phone, not one per connection.
 */

import { equalConstantTime } from "../bytes";
import type { LinkBond } from "../card";
import type { CryptoProvider } from "../crypto/provider";

/** A bond with the crypto provider its link key lives in (the resumption must run on the same one). */
export interface PcBond extends LinkBond {
  readonly provider: CryptoProvider;
}

export interface BondCacheOptions {
  /** Phones remembered at most; the least recently used is forgotten first (default 16). */
  readonly maxPhones?: number;
}

export class BondCache {
  private readonly bonds = new Map<string, PcBond>();
  private readonly pairing = new Map<string, Promise<unknown>>();
  readonly maxPhones: number;

  constructor(options: BondCacheOptions = {}) {
    this.maxPhones = options.maxPhones ?? 16;
    if (!Number.isSafeInteger(this.maxPhones) || this.maxPhones < 1)
      throw new RangeError("maxPhones must be a positive integer");
  }

  /** The bond for the phone at `phone` (HOST:PORT), if any. */
  get(phone: string): PcBond | undefined {
    const bond = this.bonds.get(phone);
    if (bond) {
      // most recently used last
      this.bonds.delete(phone);
      this.bonds.set(phone, bond);
    }
    return bond;
  }

  remember(phone: string, bond: PcBond): void {
    this.bonds.delete(phone);
    this.bonds.set(phone, bond);
    while (this.bonds.size > this.maxPhones) this.bonds.delete(this.bonds.keys().next().value!);
  }

  /** Forget the phone's bond (only `bondId` when given: a newer bond made meanwhile stays). */
  forget(phone: string, bondId?: Uint8Array): void {
    const bond = this.bonds.get(phone);
    if (!bond) return;
    if (bondId && !equalConstantTime(bond.bondId, bondId)) return;
    this.bonds.delete(phone);
  }

  /** Forget every bond. */
  clear(): void {
    this.bonds.clear();
  }

  get size(): number {
    return this.bonds.size;
  }

  /** The pairing under way with `phone` in this process, if one is. */
  pairingWith(phone: string): Promise<unknown> | undefined {
    return this.pairing.get(phone);
  }

  /** Mark `pairing` as the pairing under way with `phone` until it settles. */
  track<T>(phone: string, pairing: Promise<T>): Promise<T> {
    const settled = pairing.then(
      () => undefined,
      () => undefined,
    );
    this.pairing.set(phone, settled);
    void settled.then(() => {
      if (this.pairing.get(phone) === settled) this.pairing.delete(phone);
    });
    return pairing;
  }
}
