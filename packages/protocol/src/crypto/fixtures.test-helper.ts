/**
 * Shared test fixtures for the crypto operators: both providers, a test PKI per provider (keys
 * live in one WebCrypto implementation and cannot cross to the other), and an OpenSSL runner
 * working in a throw-away directory.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SetError } from "../errors";
import { createTestPki, type PartyName, type TestPki } from "../testing/pki";
import { deterministic } from "./deterministic";
import type { Decrypter } from "./envelopedData";
import { type CryptoProvider, nodeProvider, peculiarProvider } from "./provider";
import type { Signer } from "./signedMessage";

export const providers: [string, CryptoProvider][] = [
  ["node", nodeProvider()],
  ["peculiar", peculiarProvider()],
];

const pkis = new Map<CryptoProvider, Promise<TestPki>>();
export function pkiFor(p: CryptoProvider): Promise<TestPki> {
  let pki = pkis.get(p);
  if (!pki) {
    pki = createTestPki(p);
    pkis.set(p, pki);
  }
  return pki;
}

export const signerOf = (pki: TestPki, name: PartyName): Signer => ({
  certificate: pki[name].certificate,
  privateKey: pki[name].privateKey,
  chain: pki.intermediatesOf(name),
});

export const decrypterOf = (pki: TestPki, name: PartyName): Decrypter => ({
  certificate: pki[name].certificate,
  privateKey: pki[name].privateKey,
});

export const utf8 = (s: string) => new TextEncoder().encode(s);

/** A small DER value to stand in for t: an OCTET STRING around `text`. */
export function derOf(text: string): Uint8Array {
  const body = utf8(text);
  if (body.length > 127) throw new Error("keep test values short");
  return Uint8Array.of(0x04, body.length, ...body);
}

/** Flip one bit at `index` (negative counts from the end). */
export function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index < 0 ? copy.length + index : index] ^= 0x01;
  return copy;
}

/** Index of the first occurrence of `needle` in `hay`, or -1. */
export function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export interface OpenSsl {
  /** Write a file into the temporary directory; returns its path. */
  file(name: string, content: Uint8Array | string): string;
  read(name: string): Uint8Array;
  path(name: string): string;
  /** Run `openssl args...`; throws with stderr on a non-zero exit. */
  run(...args: string[]): string;
  /**
   * `openssl cms -verify` of a DER SignedData against the `root.pem` written before, with `args`
   * after. `-purpose any`: our certificates carry no EKU OpenSSL would accept for S/MIME;
   * `-ignore_critical`: SET's certificateType extension is critical and unknown to OpenSSL.
   */
  verifyCms(...args: string[]): string;
}

/** Run `body` with an OpenSSL runner over a fresh temporary directory, removed afterwards. */
export async function withOpenSsl<T>(body: (o: OpenSsl) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "setlab-crypto-"));
  const o: OpenSsl = {
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    read: (name) => new Uint8Array(readFileSync(join(dir, name))),
    path: (name) => join(dir, name),
    run: (...args) =>
      execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString(),
    verifyCms: (...args) =>
      o.run(
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-CAfile",
        "root.pem",
        "-purpose",
        "any",
        "-ignore_critical",
        ...args,
      ),
  };
  try {
    return await body(o);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The opener failed with the one generic decryption error, nothing more specific. */
export async function expectDecryptionFailed(promise: Promise<unknown>): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SetError);
  expect(e).toMatchObject({
    code: "decodingFailure",
    message: "decodingFailure: decryption failed",
    where: undefined,
  });
}

/** A deterministic provider over `p`, so tampering outcomes (CBC padding) are reproducible. */
export const pinned = (p: CryptoProvider, seed = 7) =>
  deterministic(p, { seed: Uint8Array.of(seed), now: new Date("2030-06-01T00:00:00Z") });
