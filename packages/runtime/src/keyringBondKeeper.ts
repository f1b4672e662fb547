/**
 * The PC's card-link bonds in the Linux kernel keyring (docs/card-link.md, "Where the PC keeps a
 * bond beyond one process"), so that the mediator's command line, a process per purchase, pairs
 * with a phone once and resumes in its later runs. The keyring is kernel memory: the bond never
 * reaches a file, swap or a backup, and it is gone at reboot.
 *
 * Reached through keyutils' `keyctl` program (Node has no binding for the keyring system calls).
 * The secret travels only on pipes: into `keyctl padd` on its standard input, out of `keyctl pipe`
 * on its standard output; never in an argument list.
 *
 * One key per phone, of type `user`, in the user keyring (`@u`), described as the prefix followed
 * by the phone's HOST:PORT. Its payload is the bond id (16 bytes) followed by the link key (32).
 * Permissions 0x3f2f0000: the key's possessor, and processes of the same user, may view, read,
 * update, search and time it out; nobody else. It times out with the phone's own bond (30 days by
 * default). Lookups search `@u` only, so a key another user made cannot be picked up.
 *
 * Nothing here throws into a purchase: without `keyctl`, or where the keyring is not allowed (some
 * containers refuse its system calls), the keeper says so once through `onUnavailable` and keeps
 * nothing; the PC then pairs with the code, as it would with no keeper.
 */

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BondKeeper, NewBond } from "@setlab/protocol/card-link";

const KEYRING_PREFIX = "setlab:card-link-bond:";
const BOND_ID_BYTES = 16;
const LINK_KEY_BYTES = 32;
const PAYLOAD_BYTES = BOND_ID_BYTES + LINK_KEY_BYTES;
const PERMISSIONS = "0x3f2f0000";
const DEFAULT_LIFETIME_SECONDS = 30 * 24 * 3600;
/**
 * A bond's lookup and read in one child: a shell that runs keyctl's search in the user keyring,
 * then its pipe of the key found. Each spawn blocks this thread while it copies the process's page
 * tables: 6-8 ms in a `set-lab purchase` with its modules loaded (docs/performance.md, "One child
 * for the keyring, TLS loaded on demand"), where the shell's own two children are small processes;
 * and a lookup is on every resuming purchase's path. keyctl is $0 and the description $1: both
 * reach keyctl as arguments, never as shell text.
 */
const SEARCH_THEN_PIPE = 'id=$("$0" search @u user "$1") || exit; exec "$0" pipe "$id"';
/** What a POSIX shell exits with when it cannot find the command (keyctl) it was to run. */
const SHELL_NOT_FOUND = 127;

/** A phone's HOST:PORT as it may appear in a key description. */
const PHONE = /^[A-Za-z0-9._:[\]-]{1,300}$/;

/** Whether a `keyctl` program is on PATH (the keyring may still refuse it: see `onUnavailable`). */
export function hasKeyctl(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== "linux") return false;
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    try {
      fs.accessSync(path.join(dir, "keyctl"), fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export interface KeyringBondKeeperOptions {
  /** The keyctl program (default "keyctl", found in PATH). */
  readonly keyctl?: string;
  /** Key descriptions start with this (default "setlab:card-link-bond:"). */
  readonly prefix?: string;
  /** A kept bond times out this many seconds after it was kept (default 30 days). */
  readonly lifetimeSeconds?: number;
  /** Each keyctl run must end within this many milliseconds (default 2 000). */
  readonly timeoutMs?: number;
  /** Told once, when the keyring turns out not to be usable; the keeper keeps nothing from then. */
  readonly onUnavailable?: (reason: string) => void;
}

interface Run {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export class KeyringBondKeeper implements BondKeeper {
  private readonly keyctl: string;
  private readonly prefix: string;
  private readonly lifetimeSeconds: number;
  private readonly timeoutMs: number;
  private unavailable?: string;

  constructor(private readonly options: KeyringBondKeeperOptions = {}) {
    this.keyctl = options.keyctl ?? "keyctl";
    this.prefix = options.prefix ?? KEYRING_PREFIX;
    this.lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    if (!Number.isSafeInteger(this.lifetimeSeconds) || this.lifetimeSeconds < 1)
      throw new RangeError("lifetimeSeconds must be a positive integer");
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(this.prefix))
      throw new RangeError("a keyring prefix is letters, digits and . _ : - only");
  }

  /** Why the keyring is not used, once a keyctl run showed it; undefined while it is. */
  get unavailableReason(): string | undefined {
    return this.unavailable;
  }

  async load(phone: string): Promise<NewBond | undefined> {
    if (!PHONE.test(phone) || this.unavailable) return undefined;
    // Found and read by one child (see SEARCH_THEN_PIPE): this runs on every resuming purchase.
    const r = await this.run([this.prefix + phone], undefined, SEARCH_THEN_PIPE);
    if (r?.code !== 0) {
      r?.stdout.fill(0);
      return undefined;
    }
    const payload = r.stdout;
    try {
      if (payload.length !== PAYLOAD_BYTES) {
        // not a bond this keeper wrote: it must not be resumed with, nor stay in the way
        const id = await this.find(phone);
        if (id !== undefined) await this.run(["invalidate", id]);
        return undefined;
      }
      return {
        bondId: new Uint8Array(payload.subarray(0, BOND_ID_BYTES)),
        linkKey: new Uint8Array(payload.subarray(BOND_ID_BYTES)),
      };
    } finally {
      payload.fill(0);
    }
  }

  async save(phone: string, bond: NewBond): Promise<void> {
    if (!PHONE.test(phone) || this.unavailable) return;
    if (bond.bondId.length !== BOND_ID_BYTES || bond.linkKey.length !== LINK_KEY_BYTES) return;
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.set(bond.bondId, 0);
    payload.set(bond.linkKey, BOND_ID_BYTES);
    let added: Run | undefined;
    try {
      added = await this.run(["padd", "user", this.prefix + phone, "@u"], payload);
    } finally {
      payload.fill(0);
    }
    const id = added && this.keyId(added);
    if (id === undefined) return;
    await Promise.all([
      this.run(["setperm", id, PERMISSIONS]),
      this.run(["timeout", id, String(this.lifetimeSeconds)]),
    ]);
  }

  async drop(phone: string, bondId: Uint8Array): Promise<void> {
    const id = await this.find(phone);
    if (id === undefined) return;
    const payload = await this.read(id);
    if (!payload) return;
    try {
      // a newer bond kept meanwhile (another run paired again) stays
      const same =
        payload.length !== PAYLOAD_BYTES || Buffer.from(bondId).equals(payload.subarray(0, BOND_ID_BYTES));
      if (same) await this.run(["invalidate", id]);
    } finally {
      payload.fill(0);
    }
  }

  /** Remove whatever bond is kept for `phone` (the PC's side of forgetting a phone). */
  async remove(phone: string): Promise<boolean> {
    const id = await this.find(phone);
    if (id === undefined) return false;
    return (await this.run(["invalidate", id]))?.code === 0;
  }

  /** The id of the key kept for `phone` in the user keyring, or undefined. */
  private async find(phone: string): Promise<string | undefined> {
    if (!PHONE.test(phone) || this.unavailable) return undefined;
    const found = await this.run(["search", "@u", "user", this.prefix + phone]);
    return found && this.keyId(found);
  }

  private async read(id: string): Promise<Buffer | undefined> {
    const r = await this.run(["pipe", id]);
    if (r?.code === 0) return r.stdout;
    r?.stdout.fill(0);
    return undefined;
  }

  private keyId(r: Run): string | undefined {
    const id = r.stdout.toString("latin1").trim();
    return r.code === 0 && /^\d{1,12}$/.test(id) ? id : undefined;
  }

  /**
   * One keyctl run; undefined (and the keeper marked unavailable) when keyctl cannot run or the
   * keyring refuses this process. A missing key is an ordinary answer (a non-zero code).
   */
  private async run(args: string[], input?: Buffer, shellScript?: string): Promise<Run | undefined> {
    if (this.unavailable) return undefined;
    // The one shell script there is begins with the search.
    const label = shellScript ? "search" : args[0];
    try {
      const r = shellScript
        ? await this.spawn("/bin/sh", ["-c", shellScript, this.keyctl, ...args], label, input)
        : await this.spawn(this.keyctl, args, label, input);
      if (shellScript && r.code === SHELL_NOT_FOUND)
        throw Object.assign(new Error(r.stderr), { code: "ENOENT" });
      if (r.code !== 0 && !/Required key not available|Key has expired|Key has been revoked/.test(r.stderr)) {
        const reason = r.stderr.trim().split("\n").pop() || `keyctl ${label} exited ${r.code}`;
        if (/not permitted|not implemented|Permission denied|Disk quota exceeded/.test(reason))
          throw new Error(reason);
      }
      return r;
    } catch (e) {
      const reason =
        (e as NodeJS.ErrnoException).code === "ENOENT"
          ? `${this.keyctl} not found (install keyutils)`
          : (e as Error).message;
      this.unavailable = reason;
      this.options.onUnavailable?.(reason);
      return undefined;
    }
  }

  /**
   * The child leads a process group of its own, so that a late run is ended whole: a shell's
   * keyctl, killed with the shell alone, would keep the pipes open and the run waiting.
   */
  private spawn(file: string, args: string[], label: string, input?: Buffer): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        stdio: ["pipe", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        detached: true,
      });
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }, this.timeoutMs);
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes <= 4096) out.push(chunk);
        else chunk.fill(0);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        if (err.length < 4096) err += chunk.toString("utf8");
      });
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out);
        for (const chunk of out) chunk.fill(0);
        if (late) {
          stdout.fill(0);
          reject(new Error(`keyctl ${label} did not end within ${this.timeoutMs} ms`));
          return;
        }
        if (outBytes > 4096) {
          stdout.fill(0);
          resolve({ code: 1, stdout: Buffer.alloc(0), stderr: "keyctl printed more than a bond" });
          return;
        }
        resolve({ code: code ?? 1, stdout, stderr: err });
      });
      child.stdin.on("error", () => {});
      child.stdin.end(input);
    });
  }
}
