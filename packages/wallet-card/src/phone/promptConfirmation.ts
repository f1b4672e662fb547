/**
 * Confirmation on the phone's terminal (`--confirm prompt`): the merchant's name from its
 * certificate, the amount the card signs, the installment or recurring terms it signs with it, and
 * the gateway's name from its key-exchange certificate, written to the phone's screen (stderr) and answered y or n on stdin. One question
 * at a time; a closed stdin is a no.
 */
import * as readline from "node:readline";
import { type ConfirmationPolicy, formatAmount } from "../card/confirmation";

export function promptConfirmation(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): ConfirmationPolicy {
  let turn: Promise<unknown> = Promise.resolve();
  let closed = false;
  const rl = readline.createInterface({ input, output, terminal: false });
  const lines: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  rl.on("line", (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  });
  rl.on("close", () => {
    closed = true;
    for (const w of waiters.splice(0)) w(undefined);
  });
  const nextLine = () =>
    new Promise<string | undefined>((resolve) => {
      if (lines.length > 0) resolve(lines.shift());
      else if (closed) resolve(undefined);
      else waiters.push(resolve);
    });
  return (request) => {
    const ask = turn.then(async () => {
      output.write(
        `\nCard ${request.cardId}: pay ${formatAmount(request.purchAmt)}${request.terms ? ` ${request.terms}` : ""} to ${printable(request.merchantName)} (${printable(request.merID)})?\n` +
          `Payment gateway: ${printable(request.gateway)}\n` +
          `Order: ${printable(request.description).slice(0, 200)}\n[y/N] `,
      );
      const answer = await nextLine();
      return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
    });
    turn = ask.catch(() => undefined);
    return ask;
  };
}

/** Text as one screen line: control characters (a forged line break, an escape sequence) become "?". */
function printable(text: string): string {
  return Array.from(text, (c) => (isControl(c.codePointAt(0) ?? 0) ? "?" : c)).join("");
}

/** C0, DEL, C1, and the Unicode line and paragraph separators. */
const isControl = (cp: number) => cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029;
