/**
 * The commands that operate on an existing lab PKI directory: issue, revoke, crl, bci. Each opens
 * DIR (decrypting the CA keys), does one thing through the CA core, and closes the store.
 */
import * as fs from "node:fs";
import { fromHex } from "@setlab/protocol";
import { type CliIo, UsageError } from "@setlab/runtime";
import { isProfileName, profileNames } from "../profiles";
import { isRevocationReason, revocationReasons } from "../store";
import { optionalString, parse, required } from "./args";
import { CliFailure } from "./cliFailure";
import { readInput } from "./files";
import { labMerchantData } from "./init";
import { dirOptions, passphraseOf } from "./passphrase";
import { PemLabel, readObject, toPem } from "./pem";
import { PkiDirectory } from "./pkiDirectory";

export const issueUsage =
  "set-ca issue --dir DIR --ca CA --profile PROFILE (--spki FILE | --csr FILE) [--cn NAME] [--out FILE]\n" +
  "      [--merchant-id ID] [--pan PAN --expiry YYYYMM --pan-secret HEX]";
export const revokeUsage = "set-ca revoke --dir DIR --serial HEX [--reason REASON]";
export const crlUsage = "set-ca crl --dir DIR --ca CA";
export const bciUsage = "set-ca bci --dir DIR --brand BRAND";

async function withPki<T>(dir: string, passphrase: string, f: (pki: PkiDirectory) => Promise<T>): Promise<T> {
  const pki = await PkiDirectory.open(dir, passphrase);
  try {
    return await f(pki);
  } finally {
    pki.close();
  }
}

export async function issue(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(
    "issue",
    args,
    {
      ...dirOptions,
      ca: { type: "string" },
      profile: { type: "string" },
      spki: { type: "string" },
      csr: { type: "string" },
      cn: { type: "string" },
      out: { type: "string" },
      "merchant-id": { type: "string" },
      pan: { type: "string" },
      expiry: { type: "string" },
      "pan-secret": { type: "string" },
    },
    { min: 0, max: 0 },
  );
  const dir = required(parsed, "issue", "dir");
  const caId = required(parsed, "issue", "ca");
  const profile = required(parsed, "issue", "profile");
  if (!isProfileName(profile))
    throw new UsageError(`issue: unknown profile "${profile}" (one of ${profileNames.join(", ")})`);
  const spkiFile = optionalString(parsed, "spki");
  const csrFile = optionalString(parsed, "csr");
  if ((spkiFile === undefined) === (csrFile === undefined))
    throw new UsageError("issue: give exactly one of --spki and --csr");
  const pan = optionalString(parsed, "pan");
  const panSecret = optionalString(parsed, "pan-secret");
  if (profile === "cardholderSignature" && (!pan || !panSecret || !optionalString(parsed, "expiry")))
    throw new UsageError("issue: a cardholder certificate needs --pan, --expiry and --pan-secret");
  if (panSecret !== undefined && !/^([0-9a-fA-F]{2}){1,64}$/.test(panSecret))
    throw new UsageError("issue: --pan-secret must be hex");
  const key = readObject(readInput((spkiFile ?? csrFile)!)).der;
  return withPki(dir, passphraseOf(parsed), async (pki) => {
    const ca = pki.ca(caId);
    const merchantId = optionalString(parsed, "merchant-id");
    const merchant = profile === "merchantSignature" || profile === "merchantKeyExchange";
    const issued = await ca.issue({
      profile,
      commonName: optionalString(parsed, "cn"),
      publicKey: spkiFile ? key : undefined,
      pkcs10: csrFile ? key : undefined,
      merchantData: merchant
        ? { ...labMerchantData(ca.brand ?? ""), ...(merchantId ? { merID: merchantId } : {}) }
        : undefined,
      cardholder:
        pan && panSecret
          ? {
              pan,
              cardExpiry: required(parsed, "issue", "expiry"),
              panSecret: fromHex(panSecret),
            }
          : undefined,
    });
    const pem = toPem(PemLabel.certificate, issued.der);
    const out = optionalString(parsed, "out");
    if (out) {
      writeOut(out, pem);
      io.out(`set-ca: issued serial ${issued.serial} thumb ${issued.thumb} to ${out}\n`);
    } else io.out(pem);
    return 0;
  });
}

export async function revoke(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(
    "revoke",
    args,
    { ...dirOptions, serial: { type: "string" }, reason: { type: "string" } },
    {
      min: 0,
      max: 0,
    },
  );
  const dir = required(parsed, "revoke", "dir");
  const serial = required(parsed, "revoke", "serial").toLowerCase();
  if (!/^[0-9a-f]{1,40}$/.test(serial)) throw new UsageError("revoke: --serial must be hex");
  const reason = optionalString(parsed, "reason") ?? "unspecified";
  if (!isRevocationReason(reason))
    throw new UsageError(
      `revoke: unknown reason "${reason}" (one of ${Object.keys(revocationReasons).join(", ")})`,
    );
  return withPki(dir, passphraseOf(parsed), async (pki) => {
    const found = await pki.store.findBySerial(serial);
    if (!found) throw new CliFailure(`no certificate with serial ${serial} in ${dir}`);
    const issuer = pki.caByThumb(found.issuer);
    if (!issuer) throw new CliFailure(`the issuer of serial ${serial} is not a CA of ${dir}`);
    await issuer.ca.revoke(serial, reason);
    io.out(
      `set-ca: revoked ${serial} (${reason}) at ${issuer.id}; run "set-ca crl --ca ${issuer.id}" to publish\n`,
    );
    return 0;
  });
}

export async function crl(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse("crl", args, { ...dirOptions, ca: { type: "string" } }, { min: 0, max: 0 });
  const dir = required(parsed, "crl", "dir");
  const caId = required(parsed, "crl", "ca");
  return withPki(dir, passphraseOf(parsed), async (pki) => {
    const { record, file } = await pki.newCrl(caId);
    io.out(`set-ca: CRL #${record.number} of ${caId} thumb ${record.thumb} written to ${file}\n`);
    return 0;
  });
}

export async function bci(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse("bci", args, { ...dirOptions, brand: { type: "string" } }, { min: 0, max: 0 });
  const dir = required(parsed, "bci", "dir");
  const brand = required(parsed, "bci", "brand");
  return withPki(dir, passphraseOf(parsed), async (pki) => {
    const { file, thumb } = await pki.newBci(brand);
    io.out(`set-ca: BrandCRLIdentifier of ${brand} thumb ${thumb} written to ${file}\n`);
    return 0;
  });
}

function writeOut(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new CliFailure(
      `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
