import type { AdminAccess } from "@setlab/runtime";
import type { AttackRandom } from "./attackRandom";

/**
 * One attack of the catalogue: what an adversary does against a running lab, and what the lab
 * must do about it. Each attack runs black box, over HTTP and the card link, with only what its
 * adversary holds (a merchant's keys, a network position, the PC), and reports what it observed.
 */

/** Where the attacked lab listens and what the adversaries may hold. */
export interface AttackTarget {
  /** The lab home (`set-lab up --home`), with `lab.json`. */
  readonly home: string;
  /** The lab PKI directory (`set-ca init`), including the `attack/` fixtures. */
  readonly pki: string;
  /** Merchant payment listener (`POST /set`, an order's initiation object and status). */
  readonly merchantUrl: string;
  /** Gateway payment listener (`POST /set`). */
  readonly gatewayUrl: string;
  /**
   * The merchant's admin listener and token (the shop's back office: `POST /orders`, order details
   * and messages). Attacks use it to play the shop and to prove what changed, never as the adversary.
   */
  readonly merchantAdmin: AdminAccess;
  /** The gateway's admin listener and token (`/admin/authorizations`, `/admin/accounts`). */
  readonly gatewayAdmin: AdminAccess;
  /** The phone's card link, `tcp://host:port`. */
  readonly phoneUrl: string;
  /**
   * The pairing code the phone accepts now (the lab's test policy, read from its file at each use:
   * the phone renews it after a wrong code), when the link is paired.
   */
  readonly pairingCode?: string;
  /** The phone's data directory, where its owner reopens pairing (`set-phone pair`). */
  readonly phoneData?: string;
  readonly pin: string;
}

export type AttackCategory =
  | "replay"
  | "tampering"
  | "splicing"
  | "certificate"
  | "downgrade"
  | "gateway-substitution"
  | "decryption-oracle"
  | "error-loop"
  | "card-link"
  | "mediator"
  /** Bodies built to cost a party far more work or memory than they cost the sender. */
  | "amplification"
  /** Another user of the lab's machine: what the OS shows every user (command lines). */
  | "local"
  /** The inspection and admin routes, from outside (the payment listener, no token). */
  | "inspection"
  /** Keeping a buyer or a merchant from a purchase it is entitled to. */
  | "denial";

/** What the attack saw. `refused` is true only when the right party refused in the right way. */
export interface AttackOutcome {
  readonly refused: boolean;
  /** The party that refused: merchant, gateway, card (phone), or the buyer's side. */
  readonly refusedBy?: "merchant" | "gateway" | "card" | "mediator";
  /** The SET ErrorCode, card status word or decline that carried the refusal. */
  readonly signal?: string;
  /** No authorization, capture, hold or order change was recorded because of the attack. */
  readonly stateUnchanged: boolean;
  /** One line for the report. Never secret material. */
  readonly detail: string;
}

export interface Attack {
  /** Stable id, e.g. `replay/preq-old-chall-m`. */
  readonly id: string;
  readonly category: AttackCategory;
  /** What the adversary does, one sentence. */
  readonly title: string;
  /** What a correct lab does, one sentence (the SET ErrorCode or decline expected). */
  readonly expected: string;
  /** The `set` profile is known to fall to this attack (SET 1.0's documented limitation). */
  readonly succeedsUnderSetProfile?: boolean;
  /** Every random choice the attack makes is drawn from `random` (attackRandom.ts). */
  run(target: AttackTarget, random: AttackRandom): Promise<AttackOutcome>;
}
