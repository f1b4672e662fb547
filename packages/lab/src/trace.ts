/** A readable trace of a run: numbered steps by party, with indented facts. Never given a secret. */
import { toHex } from "@setlab/protocol/relay";
export interface Trace {
  step(party: string, what: string): void;
  fact(label: string, value: string): void;
}

export function consoleTrace(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Trace {
  let n = 0;
  return {
    step(party, what) {
      n += 1;
      write(`\n${String(n).padStart(2)}. [${party}] ${what}`);
    },
    fact(label, value) {
      write(`      ${label.padEnd(22)} ${value}`);
    },
  };
}

export const short = (bytes: Uint8Array, n = 8) => `${toHex(bytes.subarray(0, n))}…`;
/** Only the last four digits of a PAN ever reach a trace. */
export const maskPan = (pan: string) => `${"*".repeat(pan.length - 4)}${pan.slice(-4)}`;
