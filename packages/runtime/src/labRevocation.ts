/**
 * The revocation material of a running relying party (merchant, gateway), kept current from a lab
 * PKI directory: every brand's newest BrandCRLIdentifier and the published CRLs, re-read when the
 * manifest changes (`set-ca crl`, `set-ca bci` append to it) and swapped in whole, so a request is
 * checked against one snapshot, never against half of the old and half of the new one.
 *
 * A reload is taken only when all of it holds up: each BCI verifies against its brand CA and is
 * within its validity, its sequenceNum is not below the one in use, every CRL parses, and every
 * certificate path of the PKI passes the revocation check against it (so each CRL a BCI names is
 * present, fresh and signed by its CA; a certificate found revoked there is what revocation is
 * for, not a fault). Anything else keeps the previous snapshot and says why in one log line.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type CryptoProvider,
  checkRevocation,
  parseSetCertificate,
  prepareRevocation,
  type Revocation,
  type SetCertificate,
  SetError,
  type Trust,
} from "@setlab/protocol";
import { LabPki } from "./labPki";
import { manifestFile } from "./labPkiManifest";

/** One brand's material: prepared for path checks, and the BCI's DER for a PInitRes to carry. */
export interface BrandRevocation {
  readonly material: Revocation;
  readonly bci: Uint8Array;
  readonly sequenceNum: number;
}

export type RevocationSnapshot = Readonly<Record<string, BrandRevocation>>;

/** Where a relying party reads the revocation material in force now. */
export interface RevocationSource {
  current(): RevocationSnapshot;
}

/** How often a running party looks for a new BCI or CRL by default; the documented bound. */
export const defaultRevocationPollMs = 5000;

export interface LabRevocationOptions {
  /** Poll interval; default `defaultRevocationPollMs`. */
  readonly intervalMs?: number;
  /** One line per reload taken or refused (no secrets: BCI numbers, file names, reasons). */
  readonly log?: (event: RevocationEvent) => void;
}

export type RevocationEvent =
  | { readonly event: "revocationLoaded"; readonly bciSequence: Readonly<Record<string, number>> }
  | { readonly event: "revocationRefused"; readonly reason: string };

/** Read and check every brand's material from `dir`; throws with the reason a reload is refused. */
export async function loadLabRevocation(
  dir: string,
  p: CryptoProvider,
  previous: RevocationSnapshot = {},
): Promise<RevocationSnapshot> {
  const pki = LabPki.open(dir);
  const at = p.now();
  const crls = pki.crls();
  const out: Record<string, BrandRevocation> = {};
  for (const brand of pki.brands) {
    const bci = pki.bci(brand);
    if (!bci) continue;
    const brandCa = parseSetCertificate(pki.certificate(`${brand.toLowerCase()}/bca`));
    const material = await prepareRevocation(p, { bci, brandCa, crls }, at);
    if (!("content" in material.bci)) throw new Error(`the ${brand} BCI was not verified`);
    const sequenceNum = material.bci.content.sequenceNum;
    const held = previous[brand]?.sequenceNum;
    if (held !== undefined && sequenceNum < held)
      throw new Error(`the ${brand} BCI #${sequenceNum} is older than #${held} in use`);
    await checkEveryPath(p, pki, brand, material, at);
    out[brand] = { material, bci, sequenceNum };
  }
  return out;
}

/** Every certificate of the brand (the attack fixtures' aside) through the revocation check. */
async function checkEveryPath(
  p: CryptoProvider,
  pki: LabPki,
  brand: string,
  material: Revocation,
  at: Date,
): Promise<void> {
  const root = parseSetCertificate(pki.root());
  for (const entry of pki.entries) {
    if (entry.brand !== brand || entry.id.startsWith("attack/")) continue;
    const path: SetCertificate[] = [
      parseSetCertificate(pki.certificate(entry.id)),
      ...pki.chain(entry.id).map((der) => parseSetCertificate(der)),
      root,
    ];
    try {
      await checkRevocation(p, path, { ...material, at });
    } catch (e) {
      if (e instanceof SetError && e.code === "revokedCertificate") continue;
      throw e;
    }
  }
}

/**
 * The material of a lab PKI directory, polled: `start` looks at the manifest every interval and
 * reloads when its bytes changed. The timer does not keep the process alive.
 */
export class LabRevocationSource implements RevocationSource {
  private snapshot: RevocationSnapshot;
  private seen: string;
  private timer?: NodeJS.Timeout;
  private running?: Promise<boolean>;

  private constructor(
    readonly dir: string,
    private readonly p: CryptoProvider,
    private readonly options: LabRevocationOptions,
    first: RevocationSnapshot,
    seen: string,
  ) {
    this.snapshot = first;
    this.seen = seen;
  }

  /** The directory's material now; a directory whose material does not hold up refuses to start. */
  static async open(
    dir: string,
    p: CryptoProvider,
    options: LabRevocationOptions = {},
  ): Promise<LabRevocationSource> {
    const seen = manifestDigest(dir);
    const first = await loadLabRevocation(dir, p);
    const source = new LabRevocationSource(dir, p, options, first, seen);
    options.log?.({ event: "revocationLoaded", bciSequence: sequencesOf(first) });
    return source;
  }

  current(): RevocationSnapshot {
    return this.snapshot;
  }

  /** Reload if the manifest changed since it was last read; resolves whether a new snapshot was taken. */
  refresh(): Promise<boolean> {
    // One reload at a time; a poll during a reload waits for it.
    this.running ??= this.reload().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reload(): Promise<boolean> {
    let digest: string;
    try {
      digest = manifestDigest(this.dir);
    } catch (e) {
      return this.refuse(e);
    }
    if (digest === this.seen) return false;
    this.seen = digest;
    try {
      const next = await loadLabRevocation(this.dir, this.p, this.snapshot);
      this.snapshot = next;
      this.options.log?.({ event: "revocationLoaded", bciSequence: sequencesOf(next) });
      return true;
    } catch (e) {
      return this.refuse(e);
    }
  }

  private refuse(e: unknown): false {
    const reason = (e as Error).message?.split("\n")[0] ?? String(e);
    this.options.log?.({ event: "revocationRefused", reason });
    return false;
  }

  start(): this {
    if (!this.timer) {
      this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? defaultRevocationPollMs);
      this.timer.unref();
    }
    return this;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function manifestDigest(dir: string): string {
  return createHash("sha256")
    .update(fs.readFileSync(path.join(dir, manifestFile)))
    .digest("hex");
}

const sequencesOf = (s: RevocationSnapshot) =>
  Object.fromEntries(Object.entries(s).map(([brand, r]) => [brand, r.sequenceNum]));

/** Each brand's prepared material, as a Trust's `revocation` holds it. */
export const trustRevocationOf = (s: RevocationSnapshot): Record<string, Revocation> =>
  Object.fromEntries(Object.entries(s).map(([brand, r]) => [brand, r.material]));

/**
 * `trust` whose `revocation` is the source's current snapshot whenever it is read. Parties build
 * a request's Trust by spreading theirs (`{ ...trust, at }`), which reads it once: each request is
 * checked against one snapshot, and a new one applies from the next request on.
 */
export function withCurrentRevocation<T extends Omit<Trust, "at" | "revocation">>(
  trust: T,
  source: RevocationSource,
): T & Pick<Trust, "revocation"> {
  let cached: { snapshot: RevocationSnapshot; revocation: Record<string, Revocation> } | undefined;
  return Object.defineProperty({ ...trust }, "revocation", {
    enumerable: true,
    get() {
      const snapshot = source.current();
      if (cached?.snapshot !== snapshot) cached = { snapshot, revocation: trustRevocationOf(snapshot) };
      return cached.revocation;
    },
  }) as T & Pick<Trust, "revocation">;
}

/** The log line of each reload: info when taken, warn when refused (the old material stays). */
export function logRevocation(logger: {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}): (e: RevocationEvent) => void {
  return (e) =>
    e.event === "revocationLoaded"
      ? logger.info(e, "revocation material in force")
      : logger.warn(e, "new revocation material refused; the previous stays in force");
}
