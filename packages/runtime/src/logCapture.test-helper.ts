/** A destination for a logger under test: the lines it was given, as text and as JSON records. */
import { Writable } from "node:stream";

export function captureLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    lines,
    destination,
    text: () => lines.join(""),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
