/**
 * PANs at rest in the issuer simulator's database: each account row keeps a keyed reference to
 * find it by PAN (HMAC-SHA-256), the PAN sealed (AES-256-GCM, the row's card id as associated
 * data, so a sealed PAN moved to another row does not open), and the masked form the admin view
 * shows. Both keys come from the passphrase that protects the gateway's private keys (scrypt, with a
 * salt kept in the database), as the card data on the phone is protected by the card's; a copy of
 * the database file alone yields no PAN.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scryptSync,
  timingSafeEqual,
} from "node:crypto";

const scryptParams = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const checkLabel = "setlab-pan-vault/1 check";

/**
 * The keys this process derived, by a digest of passphrase and salt, in memory only: opening the
 * same database again (a restart within one process, the tests' many stores on one salt) runs
 * scrypt once. A gateway opens one database, so in production this holds one entry.
 */
const derived = new Map<string, Buffer>();
const derivedLimit = 16;

export class PanVaultError extends Error {
  override readonly name = "PanVaultError";
}

/** What the database keeps to re-derive the keys and to tell a wrong passphrase. */
export interface PanVaultMeta {
  readonly salt: Uint8Array;
  readonly check: Uint8Array;
}

export class PanVault {
  private constructor(
    private readonly lookupKey: Buffer,
    private readonly sealKey: Buffer,
  ) {}

  /**
   * A vault with a new salt (16 random bytes unless `salt` is given); `meta` is what to store
   * beside the rows.
   */
  static create(
    passphrase: string,
    salt: Uint8Array = randomBytes(16),
  ): { vault: PanVault; meta: PanVaultMeta } {
    const vault = PanVault.derive(passphrase, salt);
    return { vault, meta: { salt, check: vault.checkValue() } };
  }

  /** The vault of an existing database; a wrong passphrase is refused here, before any row is read. */
  static open(passphrase: string, meta: PanVaultMeta): PanVault {
    const vault = PanVault.derive(passphrase, meta.salt);
    const check = vault.checkValue();
    if (check.length !== meta.check.length || !timingSafeEqual(check, meta.check))
      throw new PanVaultError("the passphrase does not open this gateway database's card accounts");
    return vault;
  }

  private static derive(passphrase: string, salt: Uint8Array): PanVault {
    const secret = passphrase.normalize("NFC");
    const id = createHash("sha256").update(secret).update("\n").update(salt).digest("hex");
    let keys = derived.get(id);
    if (!keys) {
      keys = scryptSync(secret, salt, 64, scryptParams);
      if (derived.size >= derivedLimit) derived.delete(derived.keys().next().value as string);
      derived.set(id, keys);
    }
    return new PanVault(keys.subarray(0, 32), keys.subarray(32));
  }

  private checkValue(): Buffer {
    return createHmac("sha256", this.lookupKey).update(checkLabel).digest();
  }

  /** The reference a row is found by: the same PAN always gives the same reference. */
  ref(pan: string): string {
    return createHmac("sha256", this.lookupKey).update(pan).digest("hex");
  }

  seal(pan: string, cardId: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.sealKey, iv);
    cipher.setAAD(Buffer.from(cardId, "utf8"));
    const body = Buffer.concat([cipher.update(pan, "utf8"), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  open(sealed: Uint8Array, cardId: string): string {
    const b = Buffer.from(sealed);
    if (b.length < 12 + 16) throw new PanVaultError("a sealed PAN is too short");
    const decipher = createDecipheriv("aes-256-gcm", this.sealKey, b.subarray(0, 12));
    decipher.setAAD(Buffer.from(cardId, "utf8"));
    decipher.setAuthTag(b.subarray(b.length - 16));
    try {
      return Buffer.concat([decipher.update(b.subarray(12, b.length - 16)), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      throw new PanVaultError(`the sealed PAN of ${cardId} does not open`);
    }
  }
}

/** First six and last four digits; the rest masked. */
export const maskPan = (pan: string): string =>
  `${pan.slice(0, 6)}${"*".repeat(Math.max(0, pan.length - 10))}${pan.slice(-4)}`;
