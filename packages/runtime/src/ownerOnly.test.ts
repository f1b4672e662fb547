import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureOwnerOnlyDir, ensureOwnerOnlyFile, readOwnerOnlyFile, writeOwnerOnlyFile } from "./ownerOnly";

let dir: string;
let umask: number;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-owner-"));
  umask = process.umask(0o000); // the loosest umask: the modes must not come from it
});
afterAll(() => {
  process.umask(umask);
  fs.rmSync(dir, { recursive: true, force: true });
});

const mode = (f: string) => fs.statSync(f).mode & 0o777;

test("a new or existing file becomes 0600, its content kept", () => {
  const fresh = path.join(dir, "new.db");
  ensureOwnerOnlyFile(fresh);
  expect(mode(fresh)).toBe(0o600);
  const loose = path.join(dir, "loose.db");
  fs.writeFileSync(loose, "keep", { mode: 0o666 });
  ensureOwnerOnlyFile(loose);
  expect(mode(loose)).toBe(0o600);
  expect(fs.readFileSync(loose, "utf8")).toBe("keep");
  ensureOwnerOnlyFile(":memory:");
  expect(fs.existsSync(":memory:")).toBe(false);
});

test("directories become 0700 and written files 0600", () => {
  const sub = path.join(dir, "a", "b");
  ensureOwnerOnlyDir(sub);
  expect(mode(sub)).toBe(0o700);
  const file = path.join(sub, "m.der");
  fs.writeFileSync(file, "old", { mode: 0o666 });
  writeOwnerOnlyFile(file, Uint8Array.of(1, 2));
  expect(mode(file)).toBe(0o600);
  expect(fs.readFileSync(file)).toEqual(Buffer.from([1, 2]));
});

test("a secret file is read only when it is a file that neither group nor others can open", () => {
  const file = path.join(dir, "code");
  writeOwnerOnlyFile(file, "123456\n");
  expect(readOwnerOnlyFile(file, "pairing code")).toBe("123456");
  fs.chmodSync(file, 0o400);
  expect(readOwnerOnlyFile(file, "pairing code")).toBe("123456");
  for (const loose of [0o640, 0o604, 0o620, 0o602, 0o644]) {
    fs.chmodSync(file, loose);
    expect(() => readOwnerOnlyFile(file, "pairing code")).toThrow(
      `pairing code file ${file} is open to others (mode ${loose.toString(8)}); chmod 600 it`,
    );
  }
  fs.chmodSync(file, 0o600);
  expect(() => readOwnerOnlyFile(dir, "pairing code")).toThrow("is not a file");
  expect(() => readOwnerOnlyFile(path.join(dir, "missing"), "pairing code")).toThrow("cannot be read");
  try {
    fs.chmodSync(file, 0o644);
    readOwnerOnlyFile(file, "pairing code");
  } catch (e) {
    expect((e as Error).message).not.toContain("123456");
  }
});
