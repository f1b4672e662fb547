/**
 * The lab state's card-link pairing code: read from its owner-only file each time (the phone
 * renews it after a wrong code), or a clear refusal.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LabFailure, type LabState, pairingCodeOf } from "./labState";

const state = (pairingCodeFile?: string): LabState => ({
  format: "setlab-lab/1",
  started: "2026-01-01T00:00:00Z",
  pki: "/pki",
  phoneData: "/phone",
  pin: "1234",
  ...(pairingCodeFile === undefined ? {} : { pairingCodeFile }),
  parties: {
    gateway: { url: "http://127.0.0.1:1", pid: 1, log: "g" },
    merchant: { url: "http://127.0.0.1:2", pid: 2, log: "m" },
    phone: { url: "tcp://127.0.0.1:3", pid: 3, log: "p" },
  },
});

const refusal = (s: LabState): unknown => {
  try {
    pairingCodeOf(s);
  } catch (x) {
    return x;
  }
  return undefined;
};

describe("pairingCodeOf", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-labstate-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the code the file holds now, read again at each call (the phone renews it)", () => {
    const file = path.join(dir, "code");
    fs.writeFileSync(file, "042042\n", { mode: 0o600 });
    expect(pairingCodeOf(state(file))).toBe("042042");
    fs.writeFileSync(file, "913579\n", { mode: 0o600 });
    expect(pairingCodeOf(state(file))).toBe("913579");
  });

  test("a lab.json without a code file, a file others can read, or one without 6 digits is refused in one line", () => {
    const e = refusal(state());
    expect(e).toBeInstanceOf(LabFailure);
    expect((e as Error).message).toMatch(/no card-link pairing code file/);
    const open = path.join(dir, "open");
    fs.writeFileSync(open, "042042\n");
    fs.chmodSync(open, 0o644);
    expect((refusal(state(open)) as Error).message).toMatch(/open to others/);
    const bad = path.join(dir, "bad");
    for (const content of ["4242", "abcdef"]) {
      fs.writeFileSync(bad, content, { mode: 0o600 });
      const x = refusal(state(bad));
      expect(x).toBeInstanceOf(LabFailure);
      expect((x as Error).message).toMatch(/does not hold 6 digits/);
      expect((x as Error).message).not.toContain(content);
    }
    expect(refusal(state(path.join(dir, "missing")))).toBeInstanceOf(LabFailure);
  });
});
