/**
 * The phone's card-link bonds at rest (docs/card-link.md, docs/keys-at-rest.md). One file per bond,
 * `DATA/bonds/<bond id>.json`: in clear its format, bond id, creation and expiry times and KDF
 * parameters; sealed with AES-256-GCM (the clear header as additional data) its 32-byte link key,
 * under a key scrypt derives from the phone's passphrase, as card.json is sealed.
 * `DATA/bonds/store.json` holds the KDF parameters new bonds use, so the phone runs scrypt once.
 *
 * One file per bond because two processes change the bonds: the serving phone adds one after a
 * pairing, `set-phone unbond` deletes them. Neither rewrites a file the other changes, so a revoked
 * bond cannot come back through a lost update; and the phone looks at the bond's file at every
 * resumption, so a revocation holds from the next connection on, without a restart.
 *
 * Looking is a `stat`: the link key read from a file is kept with the file's identity (inode,
 * size, modification and change times) and the file is read, unsealed and imported again only
 * when that changed (reading it was 2.3 % of the phone's CPU under the lab's load). The kept key
 * exposes nothing new to a dump of the phone's memory, which holds the sealing key of every bond
 * file from the start.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type BondLookup,
  bondIdHex,
  type CryptoProvider,
  importLinkKey,
  LINK_KEY_LENGTH,
  utf8,
} from "@setlab/protocol";
import { keyPassphrase, type Logger } from "@setlab/runtime";
import { writeFileAtomic } from "./atomicFile";
import {
  canonicalJson,
  defaultKdf,
  deriveCardKeys,
  type KdfParams,
  type Sealed,
  seal,
  unseal,
  validKdf,
} from "./cardSealing";
import { PhoneStoreError } from "./cardStore";

export const BOND_STORE_FORMAT = "setlab-phone-bonds/1";
export const BOND_FORMAT = "setlab-phone-bond/1";
export const DEFAULT_MAX_BONDS = 16;
/** 30 days: a PC not seen for a month pairs by code again. */
export const DEFAULT_BOND_LIFETIME_MS = 30 * 24 * 3600 * 1000;

const BOND_FILE = /^([0-9a-f]{32})\.json$/;

interface StoreFile {
  readonly format: typeof BOND_STORE_FORMAT;
  readonly kdf: KdfParams;
}

interface BondFile {
  readonly format: typeof BOND_FORMAT;
  readonly bondId: string;
  readonly created: string;
  readonly expires: string;
  readonly kdf: KdfParams;
  readonly sealed: Sealed;
}

/** A bond as `set-phone bonds` lists it: the clear header only. */
export interface BondInfo {
  readonly bondId: string;
  readonly created: string;
  readonly expires: string;
  readonly expired: boolean;
}

export interface BondStoreOptions {
  /** The crypto provider the card link runs on: link keys are imported into its WebCrypto. */
  readonly provider: CryptoProvider;
  readonly passphrase?: string;
  /** At most this many bonds; a new one evicts the oldest (default 16). */
  readonly maxBonds?: number;
  /** A bond expires this long after the pairing (default 30 days). */
  readonly lifetimeMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  /**
   * The scrypt parameters (salt included) of a store this open creates; default fresh ones. The
   * phone passes its cards' (`storedCardKdf`), so one derivation at start serves cards and bonds.
   */
  readonly kdf?: KdfParams;
}

export const bondsDir = (dataDir: string) => path.join(dataDir, "bonds");
const bondFile = (dataDir: string, id: string) => path.join(bondsDir(dataDir), `${id}.json`);

/** Additional data of the seal: the clear header can be neither edited nor moved to another bond. */
const bondAad = (h: Omit<BondFile, "sealed">) =>
  utf8(`${BOND_FORMAT}\n${h.bondId}\n${h.created}\n${h.expires}\n${canonicalJson(h.kdf)}`);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A bond file's header, or undefined when the file is not one of ours. */
function readHeader(file: string): BondFile | undefined {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (
    !isObject(v) ||
    v.format !== BOND_FORMAT ||
    typeof v.bondId !== "string" ||
    typeof v.created !== "string" ||
    typeof v.expires !== "string" ||
    Number.isNaN(Date.parse(v.created)) ||
    Number.isNaN(Date.parse(v.expires)) ||
    !validKdf(v.kdf) ||
    !isObject(v.sealed) ||
    typeof v.sealed.iv !== "string" ||
    typeof v.sealed.data !== "string"
  )
    return undefined;
  return v as unknown as BondFile;
}

function bondIds(dataDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(bondsDir(dataDir));
  } catch {
    return [];
  }
  return names.flatMap((n) => BOND_FILE.exec(n)?.[1] ?? []);
}

/** The bonds in a data directory, oldest first; reads only the clear headers (no passphrase). */
export function listBonds(dataDir: string, now: number = Date.now()): BondInfo[] {
  const out: BondInfo[] = [];
  for (const id of bondIds(dataDir)) {
    const h = readHeader(bondFile(dataDir, id));
    if (!h || h.bondId !== id) continue;
    out.push({ bondId: id, created: h.created, expires: h.expires, expired: Date.parse(h.expires) <= now });
  }
  return out.sort(
    (a, b) => Date.parse(a.created) - Date.parse(b.created) || a.bondId.localeCompare(b.bondId),
  );
}

/**
 * Revoke bonds: every one, or the one whose id is `which` (or starts with it, at least 8 hex
 * digits, when that names exactly one). Returns the ids removed; the files are deleted, so the
 * phone refuses those bonds from the next connection on.
 */
export function revokeBonds(dataDir: string, which: "all" | string): string[] {
  const ids = bondIds(dataDir);
  let chosen: string[];
  if (which === "all") chosen = ids;
  else {
    if (!/^[0-9a-f]{8,32}$/.test(which))
      throw new PhoneStoreError(`"${which}" is not a bond id (8 to 32 lower-case hex digits)`);
    chosen = ids.filter((id) => id.startsWith(which));
    if (chosen.length === 0) throw new PhoneStoreError(`no bond ${which} in ${bondsDir(dataDir)}`);
    if (chosen.length > 1)
      throw new PhoneStoreError(`${which} names ${chosen.length} bonds: give more digits`);
  }
  for (const id of chosen) fs.rmSync(bondFile(dataDir, id), { force: true });
  return chosen;
}

/** The serving phone's bonds: resumption look-ups and new bonds after pairings. */
export class PhoneBondStore {
  private readonly provider: CryptoProvider;
  private readonly passphrase: string;
  private readonly kdf: KdfParams;
  readonly maxBonds: number;
  readonly lifetimeMs: number;
  private readonly now: () => number;
  private readonly log?: Logger;
  /** Link keys as last read, by bond id, with the identity of the file they were read from. */
  private readonly opened = new Map<
    string,
    { readonly stamp: string; readonly expires: number; readonly key: CryptoKey }
  >();

  private constructor(
    private readonly dataDir: string,
    options: BondStoreOptions,
    kdf: KdfParams,
  ) {
    this.provider = options.provider;
    this.passphrase = options.passphrase ?? keyPassphrase();
    this.maxBonds = options.maxBonds ?? DEFAULT_MAX_BONDS;
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_BOND_LIFETIME_MS;
    this.now = options.now ?? Date.now;
    this.log = options.logger;
    this.kdf = kdf;
    // scrypt now, once, rather than inside the first pairing or resumption.
    deriveCardKeys(this.passphrase, kdf);
  }

  /** Open (or create) the bond store of a data directory. */
  static open(dataDir: string, options: BondStoreOptions): PhoneBondStore {
    const maxBonds = options.maxBonds ?? DEFAULT_MAX_BONDS;
    const lifetimeMs = options.lifetimeMs ?? DEFAULT_BOND_LIFETIME_MS;
    if (!Number.isSafeInteger(maxBonds) || maxBonds < 1)
      throw new RangeError("maxBonds must be a positive integer");
    if (!Number.isSafeInteger(lifetimeMs) || lifetimeMs < 1)
      throw new RangeError("lifetimeMs must be positive");
    const dir = bondsDir(dataDir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const storeFile = path.join(dir, "store.json");
    let kdf: KdfParams | undefined;
    if (fs.existsSync(storeFile)) {
      try {
        const s = JSON.parse(fs.readFileSync(storeFile, "utf8")) as Partial<StoreFile>;
        if (s.format === BOND_STORE_FORMAT && validKdf(s.kdf)) kdf = s.kdf;
      } catch {
        // rewritten below
      }
      if (!kdf)
        options.logger?.warn(
          { file: storeFile },
          "bond store parameters unreadable: new bonds use fresh ones",
        );
    }
    if (!kdf) {
      kdf = options.kdf && validKdf(options.kdf) ? options.kdf : defaultKdf();
      const file: StoreFile = { format: BOND_STORE_FORMAT, kdf };
      writeFileAtomic(storeFile, `${JSON.stringify(file, null, 2)}\n`);
    }
    return new PhoneBondStore(dataDir, options, kdf);
  }

  /** The link key of a live bond, imported non-extractable; undefined for unknown, revoked, expired or altered. */
  readonly lookup: BondLookup = async (bondId) => {
    const id = bondIdHex(bondId);
    const file = bondFile(this.dataDir, id);
    let stat: fs.BigIntStats;
    try {
      stat = fs.statSync(file, { bigint: true });
    } catch {
      this.opened.delete(id);
      return undefined;
    }
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    const known = this.opened.get(id);
    if (known?.stamp === stamp && known.expires > this.now()) return known.key;
    this.opened.delete(id);
    const h = readHeader(file);
    if (!h || h.bondId !== id) {
      this.log?.warn({ bond: id }, "bond file refused: not a bond");
      return undefined;
    }
    if (Date.parse(h.expires) <= this.now()) {
      fs.rmSync(file, { force: true });
      this.log?.info({ bond: id, expired: h.expires }, "bond expired: removed");
      return undefined;
    }
    const keys = deriveCardKeys(this.passphrase, h.kdf);
    const linkKey = unseal(keys.sealKey, h.sealed, bondAad(h));
    if (!linkKey || linkKey.length !== LINK_KEY_LENGTH) {
      linkKey?.fill(0);
      this.log?.warn({ bond: id }, "bond file refused: wrong passphrase, or the file was altered");
      return undefined;
    }
    const key = await importLinkKey(this.provider, linkKey);
    this.opened.set(id, { stamp, expires: Date.parse(h.expires), key });
    return key;
  };

  /** Keep a new bond (its key bytes are wiped); expired bonds go, and the oldest when the store is full. */
  async add(bondId: Uint8Array, linkKey: Uint8Array): Promise<void> {
    try {
      if (linkKey.length !== LINK_KEY_LENGTH) throw new RangeError(`a link key is ${LINK_KEY_LENGTH} bytes`);
      const now = this.now();
      const live: BondInfo[] = [];
      for (const b of listBonds(this.dataDir, now)) {
        if (b.expired) {
          fs.rmSync(bondFile(this.dataDir, b.bondId), { force: true });
          this.log?.info({ bond: b.bondId, expired: b.expires }, "bond expired: removed");
        } else live.push(b);
      }
      // Evicted and expired bonds' keys go with their files.
      this.opened.clear();
      while (live.length >= this.maxBonds) {
        const oldest = live.shift()!;
        fs.rmSync(bondFile(this.dataDir, oldest.bondId), { force: true });
        this.log?.info(
          { bond: oldest.bondId, maxBonds: this.maxBonds },
          "bond evicted: the oldest of too many",
        );
      }
      const header = {
        format: BOND_FORMAT,
        bondId: bondIdHex(bondId),
        created: new Date(now).toISOString(),
        expires: new Date(now + this.lifetimeMs).toISOString(),
        kdf: this.kdf,
      } as const;
      const keys = deriveCardKeys(this.passphrase, this.kdf);
      const file: BondFile = { ...header, sealed: seal(keys.sealKey, linkKey, bondAad(header)) };
      writeFileAtomic(bondFile(this.dataDir, header.bondId), `${JSON.stringify(file, null, 2)}\n`);
    } finally {
      linkKey.fill(0);
    }
  }

  list(): BondInfo[] {
    return listBonds(this.dataDir, this.now());
  }
}
