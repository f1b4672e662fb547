import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureOwnerOnlyDir, ensureOwnerOnlyFile, writeOwnerOnlyFile } from "./ownerOnly";

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
