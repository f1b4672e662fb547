/**
 * "Never writes personal data to disk", checked on the source: no module of the mediator (tests
 * aside) calls a file-system API that creates, writes, moves or deletes anything, opens a file
 * for writing, or points its logger at a file; nor does the PC end of the card link it runs
 * (@setlab/protocol/card-link). Only initiation.ts touches node:fs, to read the initiation file. The run-time proof is in purchase.e2e.test.ts (empty cwd, HOME and TMPDIR).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const forbidden: [string, RegExp][] = [
  ["a write call", /\b(?:writeFile|appendFile|writeSync|writev|createWriteStream)\w*\s*\(/],
  [
    "a create, move or delete",
    /\.(?:mkdir|mkdtemp|rename|copyFile|cp|unlink|rm|rmdir|symlink|link|truncate|ftruncate|chmod|chown|utimes)(?:Sync)?\s*\(/,
  ],
  ["opening for writing", /\bopen(?:Sync)?\s*\([^)]*["'`](?:w|a|r\+|wx|ax|w\+|a\+)["'`]/],
  ["a log file", /\b(?:destination|transport)\s*\(|pino\/file/],
  ["a temporary file", /\btmpdir\s*\(|\bos\.tmpdir\b/],
];

/** The offences in one source text: [what, line number]. */
export function diskWrites(source: string): [string, number][] {
  const found: [string, number][] = [];
  source.split("\n").forEach((line, i) => {
    for (const [what, pattern] of forbidden) if (pattern.test(line)) found.push([what, i + 1]);
  });
  return found;
}

const cardLinkDir = path.join(__dirname, "../../protocol/src/cardLink");
const cardLinkPcEnd = ["pcCardLink.ts", "bondCache.ts", "cardTransportError.ts"];
const sources = [
  ...fs
    .readdirSync(__dirname, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("test-helper"))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(__dirname, f), "utf8") })),
  ...cardLinkPcEnd.map((f) => ({
    file: `card-link/${f}`,
    text: fs.readFileSync(path.join(cardLinkDir, f), "utf8"),
  })),
];

describe("no disk writes in the mediator", () => {
  test("the check finds every kind of write it looks for", () => {
    expect(diskWrites('fs.writeFileSync("x", pan)')).toEqual([["a write call", 1]]);
    expect(diskWrites("await fsp.appendFile(f, d)")).toEqual([["a write call", 1]]);
    expect(diskWrites("const s = fs.createWriteStream(p);")).toEqual([["a write call", 1]]);
    expect(diskWrites("fs.mkdtempSync(prefix)\nfs.renameSync(a, b)")).toEqual([
      ["a create, move or delete", 1],
      ["a create, move or delete", 2],
    ]);
    expect(diskWrites('const fd = fs.openSync(file, "w");')).toEqual([["opening for writing", 1]]);
    expect(diskWrites('fs.openSync(file, "r")')).toEqual([]);
    expect(diskWrites('pino(opts, pino.destination("/var/log/m.log"))')).toEqual([["a log file", 1]]);
    expect(diskWrites("path.join(os.tmpdir(), 'x')")).toEqual([["a temporary file", 1]]);
  });

  test("the package's sources write nothing", () => {
    expect(sources.map((s) => s.file)).toEqual(
      expect.arrayContaining(["cli.ts", "mediator.ts", "card-link/pcCardLink.ts", "initiation.ts"]),
    );
    const offences = sources.flatMap((s) =>
      diskWrites(s.text).map(([what, line]) => `${s.file}:${line} ${what}`),
    );
    expect(offences).toEqual([]);
  });

  test("only initiation.ts imports the file system, and only to read", () => {
    const importers = sources.filter((s) =>
      /from "node:fs(?:\/promises)?"|require\("(?:node:)?fs/.test(s.text),
    );
    expect(importers.map((s) => s.file)).toEqual(["initiation.ts"]);
    const calls = [...importers[0].text.matchAll(/\bfs\.(\w+)/g)].map((m) => m[1]);
    expect(new Set(calls)).toEqual(new Set(["openSync", "fstatSync", "readSync", "closeSync"]));
  });
});
