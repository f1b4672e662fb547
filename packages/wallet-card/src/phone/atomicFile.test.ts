import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic, writeFileAtomicAsync } from "./atomicFile";

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-atomic-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A record whose every byte depends on n, large enough that a torn write would show. */
const record = (n: number) => JSON.stringify({ n, fill: String(n % 10).repeat(20_000 + (n % 7) * 9_000) });
const isRecord = (text: string) => {
  const { n } = JSON.parse(text) as { n: number };
  return text === record(n) ? n : undefined;
};

describe("atomic file writes", () => {
  test("the async write replaces the file, mode 0600, no temporary file left", async () => {
    const file = path.join(tmp, "state.json");
    writeFileAtomic(file, record(1));
    await writeFileAtomicAsync(file, record(2));
    expect(isRecord(fs.readFileSync(file, "utf8"))).toBe(2);
    expect(fs.readdirSync(tmp)).toEqual(["state.json"]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test("a write into a missing directory rejects and leaves nothing", async () => {
    await expect(writeFileAtomicAsync(path.join(tmp, "gone", "state.json"), "x")).rejects.toMatchObject({
      code: "ENOENT",
    });
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test("a rename that fails rejects and leaves no temporary file", async () => {
    const taken = path.join(tmp, "state.json");
    fs.mkdirSync(taken);
    fs.writeFileSync(path.join(taken, "inside"), "x");
    await expect(writeFileAtomicAsync(taken, record(3))).rejects.toMatchObject({ syscall: "rename" });
    expect(fs.readdirSync(tmp)).toEqual(["state.json"]);
    expect(fs.readdirSync(taken)).toEqual(["inside"]);
  });

  test("kill -9 during a stream of writes leaves the old or the new file, never a torn one", async () => {
    // The writer runs in its own process so it can be killed at any instruction; it runs the same
    // plain-JavaScript write the state writer thread runs.
    const writer = path.join(tmp, "writer.js");
    fs.writeFileSync(
      writer,
      `const { writeFileAtomic } = require(${JSON.stringify(path.join(__dirname, "atomicWrite.js"))});
const record = ${record.toString()};
for (let n = 1; ; n++) {
  writeFileAtomic(process.argv[2], record(n));
  if (n === 1) process.stdout.write("ready\\n");
}`,
    );
    const dir = path.join(tmp, "card");
    fs.mkdirSync(dir);
    const file = path.join(dir, "state.json");
    for (let round = 0; round < 8; round++) {
      const child: ChildProcess = spawn(process.execPath, [writer, file], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 40));
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      const n = isRecord(fs.readFileSync(file, "utf8"));
      expect(n).toBeGreaterThanOrEqual(1);
    }
  });

  test("the writer thread: writes from several files at once all land; a failed one names its system call", async () => {
    const files = ["a", "b", "c"].map((n) => path.join(tmp, `${n}.json`));
    await Promise.all(files.map((f, i) => writeFileAtomicAsync(f, record(i + 10))));
    expect(files.map((f) => isRecord(fs.readFileSync(f, "utf8")))).toEqual([10, 11, 12]);
    fs.mkdirSync(path.join(tmp, "taken"));
    fs.writeFileSync(path.join(tmp, "taken", "x"), "x");
    const [ok, failed] = await Promise.allSettled([
      writeFileAtomicAsync(files[0], record(20)),
      writeFileAtomicAsync(path.join(tmp, "taken"), record(21)),
    ]);
    expect(ok.status).toBe("fulfilled");
    expect(failed).toMatchObject({ status: "rejected", reason: { syscall: "rename" } });
    expect(isRecord(fs.readFileSync(files[0], "utf8"))).toBe(20);
  });
});
