import { parseArgs } from "node:util";
import { SetError } from "@setlab/protocol";
import { type CliProgram, isArgumentError, reportFailure, runCli, UsageError } from "./cliRunner";

function capture() {
  let err = "";
  return { io: { out: () => undefined, err: (t: string) => (err += t) }, err: () => err };
}

const oneLine: CliProgram = { name: "set-x", usage: "usage: set-x run --in FILE" };
const manyLines: CliProgram = { name: "set-y", usage: "usage:\n  set-y a\n  set-y b\n" };

describe("runCli", () => {
  it("passes the body's exit code through", async () => {
    const c = capture();
    expect(await runCli(oneLine, async () => 3, c.io)).toBe(3);
    expect(c.err()).toBe("");
  });

  it("an argument error: the message and a one-line usage on one line, exit 2", async () => {
    const c = capture();
    const code = await runCli(
      oneLine,
      () => {
        throw new UsageError("--in is required");
      },
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err()).toBe("set-x: --in is required (usage: set-x run --in FILE)\n");
  });

  it("an argument error: a usage of several lines follows the message", async () => {
    const c = capture();
    expect(await runCli(manyLines, () => Promise.reject(new UsageError("missing command")), c.io)).toBe(2);
    expect(c.err()).toBe("set-y: missing command\nusage:\n  set-y a\n  set-y b\n");
  });

  it("a terse program prints the argument error alone", async () => {
    const c = capture();
    const terse = { ...manyLines, terseUsageErrors: true };
    expect(await runCli(terse, () => Promise.reject(new UsageError("init: --out is required")), c.io)).toBe(
      2,
    );
    expect(c.err()).toBe("set-y: init: --out is required\n");
  });

  it("parseArgs' own refusals count as argument errors", async () => {
    const c = capture();
    const code = await runCli(
      oneLine,
      () => parseArgs({ args: ["--nope"], options: {}, strict: true }) && 0,
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err()).toMatch(/^set-x: Unknown option '--nope'[^\n]*\(usage: set-x run --in FILE\)\n$/);
  });

  it("a SetError: its first line, no stack, exit 1", async () => {
    const c = capture();
    const e = new SetError("revokedCertificate", "the merchant certificate is revoked\nsecond line");
    expect(await runCli(oneLine, () => Promise.reject(e), c.io)).toBe(1);
    expect(c.err()).toBe("set-x: revokedCertificate: the merchant certificate is revoked\n");
    expect(c.err()).not.toMatch(/\n\s+at /);
  });

  it("a program's documented failure code, and its code for particular failures", async () => {
    const c = capture();
    const twos = { ...oneLine, failureCode: 2 };
    expect(await runCli(twos, () => Promise.reject(new Error("boom")), c.io)).toBe(2);
    class TargetDown extends Error {}
    const special = { ...oneLine, exitCodeOf: (e: unknown) => (e instanceof TargetDown ? 3 : undefined) };
    expect(await runCli(special, () => Promise.reject(new TargetDown("down")), c.io)).toBe(3);
    expect(await runCli(special, () => Promise.reject(new Error("other")), c.io)).toBe(1);
    expect(await runCli(special, () => Promise.reject("a string"), c.io)).toBe(1);
    expect(c.err()).toBe("set-x: boom\nset-x: down\nset-x: other\nset-x: a string\n");
  });
});

describe("reportFailure", () => {
  it("takes the usage from a function, when the program builds it", () => {
    const c = capture();
    expect(reportFailure({ name: "p", usage: () => "usage: p" }, new UsageError("bad"), c.io)).toBe(2);
    expect(c.err()).toBe("p: bad (usage: p)\n");
  });

  it("isArgumentError knows UsageError and parseArgs codes only", () => {
    expect(isArgumentError(new UsageError("x"))).toBe(true);
    expect(
      isArgumentError(Object.assign(new TypeError("x"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" })),
    ).toBe(true);
    expect(isArgumentError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(false);
    expect(isArgumentError(null)).toBe(false);
  });
});
