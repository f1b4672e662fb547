import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runShared, testRunDirVariable } from "./runShared";

let dir: string;
let saved: string | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-runshared-"));
  saved = process.env[testRunDirVariable];
  process.env[testRunDirVariable] = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env[testRunDirVariable];
  else process.env[testRunDirVariable] = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("runShared", () => {
  it("makes a file once and hands the same path to every later ask", () => {
    let made = 0;
    const make = (into: string) => {
      made++;
      fs.writeFileSync(into, "x");
    };
    const a = runShared("thing", make);
    const b = runShared("thing", make);
    expect(a).toBe(path.join(dir, "thing"));
    expect(b).toBe(a);
    expect(made).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(["thing", "thing.lock"]);
  });

  it("is nothing outside a test run", () => {
    delete process.env[testRunDirVariable];
    expect(runShared("thing", () => fs.writeFileSync("/never", ""))).toBeUndefined();
  });

  it("leaves nothing behind when making fails, so the next ask makes it", () => {
    expect(() =>
      runShared("thing", (into) => {
        fs.writeFileSync(into, "half");
        throw new Error("make failed");
      }),
    ).toThrow("make failed");
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(runShared("thing", (into) => fs.writeFileSync(into, "whole"))).toBe(path.join(dir, "thing"));
    expect(fs.readFileSync(path.join(dir, "thing"), "utf8")).toBe("whole");
  });

  it("waits for another process that holds the lock, and takes what it made", async () => {
    fs.mkdirSync(path.join(dir, "thing.lock"));
    // Another process finishes making it 300 ms from now, as runShared does: under a temporary
    // name, then renamed into place, so the file never shows half written.
    const target = JSON.stringify(path.join(dir, "thing"));
    const temporary = JSON.stringify(path.join(dir, "thing.other.tmp"));
    const other = spawn(process.execPath, [
      "-e",
      `setTimeout(() => { const fs = require("fs"); fs.writeFileSync(${temporary}, "theirs"); fs.renameSync(${temporary}, ${target}) }, 300)`,
    ]);
    const exited = new Promise((done) => other.on("exit", done));
    const got = runShared("thing", (into) => fs.writeFileSync(into, "mine"));
    expect(fs.readFileSync(got!, "utf8")).toBe("theirs");
    await exited;
  });
});
