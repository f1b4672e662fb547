/**
 * The test policy's fixed pairing code, kept in the owner-only file the phone was started with
 * (`--pairing-code-file`): the lab and the owner's PC read the code there. Every wrong proof spends
 * the code and the phone writes a fresh random one in its place (atomically, mode 0600), so a
 * stranger's failed attempts teach it nothing about the code the owner pairs with next, and no two
 * wrong proofs ever test the same code (docs/card-link.md, "Threat analysis").
 */
import { randomInt } from "node:crypto";
import { isPairingCode } from "@setlab/protocol";
import type { PairingCodeSource } from "@setlab/protocol/card-link";
import { readOwnerOnlyFile } from "@setlab/runtime";
import { writeFileAtomic } from "./atomicFile";

export class PairingCodeFile implements PairingCodeSource {
  private code: string;

  /** Reads the code now: a file that is not owner-only, or holds no 6 digits, throws. */
  constructor(readonly file: string) {
    this.code = PairingCodeFile.read(file);
  }

  static read(file: string): string {
    const code = readOwnerOnlyFile(file, "pairing code");
    if (!isPairingCode(code)) throw new Error(`${file} must hold 6 digits`);
    return code;
  }

  current(): string {
    return this.code;
  }

  spend(): void {
    let next = this.code;
    while (next === this.code) next = String(randomInt(0, 1_000_000)).padStart(6, "0");
    writeFileAtomic(this.file, `${next}\n`);
    this.code = next;
  }
}
