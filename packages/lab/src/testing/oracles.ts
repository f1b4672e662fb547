/**
 * Independent oracles for captured SET messages, for tests: libtasn1's `asn1Decoding` against the
 * module file SetLab.asn, and the `openssl` command line. Both run as separate programs on files
 * in a scratch directory of their own, so what they accept owes nothing to the project's codecs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nodeBytes, nodeChildren, parseOne } from "@setlab/protocol";

export const moduleFile = resolve(__dirname, "../../../protocol/asn1/SetLab.asn");
export const moduleName = "SetLab-Module";

/** What a tool said: its exit status and everything it printed. */
export interface Verdict {
  readonly ok: boolean;
  readonly status: number | null;
  readonly output: string;
}

/** Fail early, with the package to install, when a tool is missing. */
export function requireTool(tool: string, probe: string[], debianPackage: string): void {
  const r = spawnSync(tool, probe, { encoding: "utf8" });
  if (r.error) throw new Error(`${tool} is not installed (${r.error.message}): install ${debianPackage}`);
}

/** A scratch directory for the oracles' input and output files. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), "setlab-oracles-"));

  write(name: string, bytes: Uint8Array | string): string {
    const file = join(this.dir, name);
    writeFileSync(file, bytes);
    return file;
  }

  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(join(this.dir, name)));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** `asn1Decoding -s SetLab.asn FILE SetLab-Module.TYPE`: ok when it prints "Decoding: SUCCESS". */
  asn1Decoding(name: string, der: Uint8Array, asn1Type: string): Verdict {
    const file = this.write(`${name}.der`, der);
    const r = spawnSync("asn1Decoding", ["-s", moduleFile, file, `${moduleName}.${asn1Type}`], {
      encoding: "utf8",
    });
    const output = `${r.stdout}${r.stderr}`;
    return { ok: r.status === 0 && output.includes("Decoding: SUCCESS"), status: r.status, output };
  }

  /** `openssl ARGS...` run in the scratch directory: ok on exit status 0. */
  openssl(...args: string[]): Verdict {
    const r = spawnSync("openssl", args, { cwd: this.dir, encoding: "utf8" });
    return { ok: r.status === 0, status: r.status, output: `${r.stdout}${r.stderr}` };
  }
}

/**
 * The DER of the element at `path` inside `der`: each step is a child index of a constructed
 * value (a tagged wrapper counts as a constructed value with one child). Only TLV framing is read.
 */
export function elementAt(der: Uint8Array, ...path: number[]): Uint8Array {
  let node = parseOne(der, "captured");
  for (const i of path) {
    const kids = nodeChildren(node);
    const next = kids[i];
    if (!next) throw new Error(`no element ${i} at ${path.join("/")} (${kids.length} children)`);
    node = next;
  }
  return nodeBytes(node);
}

/** A copy of `bytes` with one bit flipped at `at`. */
export function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] ^= 0x01;
  return copy;
}

/** Where `needle` starts in `haystack`, or throws. */
export function offsetOf(haystack: Uint8Array, needle: Uint8Array): number {
  const at = Buffer.from(haystack).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error("the bytes are not inside the message");
  return at;
}
