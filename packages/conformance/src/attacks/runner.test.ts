import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeAdminTokenFile } from "@setlab/runtime";
import type { Attack, AttackOutcome, AttackTarget } from "./attack";
import { attackRandom, drawRunSeed, parseRunSeed } from "./attackRandom";
import { judge, runAttack, runAttacks } from "./runner";
import { TargetError, targetOfLab } from "./target";

const attack = (over: Partial<Attack>, outcome: AttackOutcome | Error): Attack => ({
  id: "test/attack",
  category: "replay",
  title: "sends something again",
  expected: "refused",
  run: async () => {
    if (outcome instanceof Error) throw outcome;
    return outcome;
  },
  ...over,
});
const refused: AttackOutcome = {
  refused: true,
  refusedBy: "merchant",
  signal: "unknownRRPID",
  stateUnchanged: true,
  detail: "",
};
const target: AttackTarget = {
  home: "/nowhere",
  pki: "/nowhere/pki",
  merchantUrl: "http://127.0.0.1:1",
  gatewayUrl: "http://127.0.0.1:2",
  merchantAdmin: { url: "http://127.0.0.1:4", token: "t" },
  gatewayAdmin: { url: "http://127.0.0.1:5", token: "t" },
  phoneUrl: "tcp://127.0.0.1:3",
  pin: "1234",
};

describe("judging an attack", () => {
  test("a refusal that changed nothing is as expected", () => {
    expect(judge(attack({}, refused), refused)).toBe(true);
  });
  test("a refusal that still changed state is not", () => {
    expect(judge(attack({}, refused), { ...refused, stateUnchanged: false })).toBe(false);
  });
  test("an attack that went through is not", () => {
    expect(judge(attack({}, refused), { ...refused, refused: false })).toBe(false);
  });
  test("a documented SET 1.0 gap is as expected when it goes through, and not when refused", () => {
    const gap = attack({ succeedsUnderSetProfile: true }, refused);
    expect(judge(gap, { ...refused, refused: false, stateUnchanged: false })).toBe(true);
    expect(judge(gap, refused)).toBe(false);
  });
});

describe("running attacks", () => {
  test("a kit failure is recorded as an error, never as a refusal, and the run goes on", async () => {
    const seen: string[] = [];
    const results = await runAttacks(
      [
        attack({ id: "a/throws" }, new Error("cannot reach the merchant\nstack")),
        attack({ id: "a/ok" }, refused),
      ],
      target,
      { seed: 1, onResult: (r) => seen.push(r.attack.id) },
    );
    expect(seen).toEqual(["a/throws", "a/ok"]);
    expect(results[0]).toMatchObject({ asExpected: false, error: "cannot reach the merchant" });
    expect(results[1]).toMatchObject({ asExpected: true, outcome: refused });
  });
});

describe("the run seed", () => {
  const drawing = (id: string, draws: number[]) =>
    attack(
      {
        id,
        run: async (_t, random) => {
          draws.push(random.next(), random.next());
          return refused;
        },
      },
      refused,
    );

  test("every attack draws from the run seed: the same seed gives the same draws, another seed others", async () => {
    const runWith = async (seed: number) => {
      const a: number[] = [];
      const b: number[] = [];
      await runAttacks([drawing("x/a", a), drawing("x/b", b)], target, { seed });
      return { a, b };
    };
    const first = await runWith(1230924426);
    expect(await runWith(1230924426)).toEqual(first);
    expect((await runWith(1230924427)).a).not.toEqual(first.a);
    // Two attacks of one run do not share a stream.
    expect(first.a).not.toEqual(first.b);
  });

  test("an attack run alone with a run's seed draws what it drew in that run", async () => {
    const inRun: number[] = [];
    await runAttacks([drawing("x/a", []), drawing("x/b", inRun)], target, { seed: 7 });
    const alone: number[] = [];
    await runAttack(drawing("x/b", alone), target, 7);
    expect(alone).toEqual(inRun);
    expect(attackRandom(7, "x/b").runSeed).toBe(7);
  });

  test("--seed takes a decimal 32-bit value and nothing else", () => {
    expect(parseRunSeed("1230924426")).toBe(1230924426);
    expect(parseRunSeed("0")).toBe(0);
    expect(parseRunSeed("4294967295")).toBe(4294967295);
    for (const bad of ["4294967296", "-1", "1e3", "0x10", "", " 5", "12345678901"])
      expect(parseRunSeed(bad)).toBeUndefined();
    const drawn = drawRunSeed();
    expect(Number.isInteger(drawn) && drawn >= 0 && drawn <= 0xffff_ffff).toBe(true);
  });
});

describe("the target of a lab", () => {
  test("is read from lab.json, and a missing or damaged one is a clear error", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-target-"));
    try {
      expect(() => targetOfLab(home)).toThrow(TargetError);
      fs.writeFileSync(path.join(home, "lab.json"), "{not json");
      expect(() => targetOfLab(home)).toThrow(/not a lab state file/);
      const codeFile = path.join(home, "phone-pairing-code");
      fs.writeFileSync(codeFile, "123456\n", { mode: 0o600 });
      const lab = {
        pki: "/p",
        pin: "1234",
        pairingCodeFile: codeFile,
        parties: {
          gateway: { url: "http://127.0.0.1:8402/", adminUrl: "http://127.0.0.1:8412" },
          merchant: { url: "http://127.0.0.1:8401", adminUrl: "http://127.0.0.1:8411/" },
          phone: { url: "tcp://127.0.0.1:8403" },
        },
      };
      // A lab.json written before the admin listeners names none: start the lab again.
      fs.writeFileSync(path.join(home, "lab.json"), JSON.stringify(lab));
      expect(() => targetOfLab(home)).toThrow(/names no admin listeners/);
      const tokenFile = path.join(home, "admin-token");
      const token = writeAdminTokenFile(tokenFile);
      fs.writeFileSync(path.join(home, "lab.json"), JSON.stringify({ ...lab, adminTokenFile: tokenFile }));
      expect(targetOfLab(home)).toMatchObject({
        gatewayUrl: "http://127.0.0.1:8402",
        merchantUrl: "http://127.0.0.1:8401",
        merchantAdmin: { url: "http://127.0.0.1:8411", token },
        gatewayAdmin: { url: "http://127.0.0.1:8412", token },
        phoneUrl: "tcp://127.0.0.1:8403",
        pairingCode: "123456",
      });
      // Read at each use: the phone renews the code after a wrong one.
      const target = targetOfLab(home);
      fs.writeFileSync(codeFile, "654321\n", { mode: 0o600 });
      expect(target.pairingCode).toBe("654321");
      // A token file others can read is refused.
      fs.chmodSync(tokenFile, 0o644);
      expect(() => targetOfLab(home)).toThrow(/must be 0600/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
