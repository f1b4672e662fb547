/**
 * The PC's card-link bonds (docs/card-link.md): per phone address, the bond a pairing by code left
 * (its id and its link key, a non-extractable HKDF key), held in this process's memory and nowhere
 * else, never in a file. A process that keeps one BondCache (the lab's bench, a long-lived
 * mediator) pairs once per phone and resumes every later connection without a code; a process
 * that ends forgets its bonds, and the phone's copies expire or are revoked there. Given a
 * `BondKeeper` (an OS keyring), the cache also looks there for a bond it does not hold and keeps
 * there every bond a pairing makes, so a short-lived program (the mediator's command line) pairs
 * once and resumes in its later runs.
 *
 * Connections started together share one pairing: the first pairs, the others wait for it and
 * resume with the bond it made, so a burst of purchases asks for the code once and leaves one bond
 * on the phone, not one per connection.
 */

import { equalConstantTime } from "../bytes";
import { importLinkKey, isBondId, LINK_KEY_LENGTH, type LinkBond, type NewBond } from "../card";
import type { CryptoProvider } from "../crypto/provider";
import type { BondKeeper } from "./bondKeeper";

/** A bond with the crypto provider its link key lives in (the resumption must run on the same one). */
export interface PcBond extends LinkBond {
  readonly provider: CryptoProvider;
}

export interface BondCacheOptions {
  /** Phones remembered at most; the least recently used is forgotten first (default 16). */
  readonly maxPhones?: number;
  /** Where bonds are kept beyond this process (an OS keyring); none by default. */
  readonly keeper?: BondKeeper;
}

export class BondCache {
  private readonly bonds = new Map<string, PcBond>();
  private readonly pairing = new Map<string, Promise<unknown>>();
  private readonly recalling = new Map<string, Promise<PcBond | undefined>>();
  readonly maxPhones: number;
  private readonly keeper?: BondKeeper;

  constructor(options: BondCacheOptions = {}) {
    this.maxPhones = options.maxPhones ?? 16;
    this.keeper = options.keeper;
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

  /**
   * The bond for `phone`: the one in memory, else the one the keeper kept (its link key imported
   * into `provider`, its bytes wiped), else undefined.
   */
  recall(phone: string, provider: CryptoProvider): Promise<PcBond | undefined> {
    const held = this.get(phone);
    if (held || !this.keeper) return Promise.resolve(held);
    // one look in the keeper per phone at a time: a program may start it early (while it loads
    // the shop's initiation) and the connection then waits for that same look
    let recalling = this.recalling.get(phone);
    if (!recalling) {
      recalling = this.fromKeeper(this.keeper, phone, provider).finally(() => this.recalling.delete(phone));
      this.recalling.set(phone, recalling);
    }
    return recalling;
  }

  private async fromKeeper(keeper: BondKeeper, phone: string, provider: CryptoProvider) {
    const kept = await keeper.load(phone).catch(() => undefined);
    if (!kept) return undefined;
    if (kept.linkKey.length !== LINK_KEY_LENGTH || !isBondId(kept.bondId)) {
      kept.linkKey.fill(0);
      await keeper.drop(phone, kept.bondId).catch(() => undefined);
      return undefined;
    }
    const bond = { bondId: kept.bondId, linkKey: await importLinkKey(provider, kept.linkKey), provider };
    this.remember(phone, bond);
    return bond;
  }

  /**
   * A pairing made `bond` with `phone`: hand a copy to the keeper, then import its link key into
   * `provider` and remember it. The raw bytes are wiped whatever happens.
   */
  async keep(phone: string, bond: NewBond, provider: CryptoProvider): Promise<PcBond> {
    try {
      await this.keeper?.save(phone, bond).catch(() => undefined);
      const kept = { bondId: bond.bondId, linkKey: await importLinkKey(provider, bond.linkKey), provider };
      this.remember(phone, kept);
      return kept;
    } finally {
      bond.linkKey.fill(0);
    }
  }

  /** The phone no longer knows `bondId`: forget it here and in the keeper. */
  async discard(phone: string, bondId: Uint8Array): Promise<void> {
    this.forget(phone, bondId);
    await this.keeper?.drop(phone, bondId).catch(() => undefined);
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
