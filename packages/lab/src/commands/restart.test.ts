import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isAlive, LabFailure, type LabState, writeState } from "../labState";
import { argvOnSamePort, killParty, restartParty } from "./restart";

let home: string;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-restart-"));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function labWith(gateway: Partial<LabState["parties"]["gateway"]>): void {
  const party = { url: "http://127.0.0.1:40001", pid: 999_999_999, log: path.join(home, "g.log") };
  writeState(home, {
    format: "setlab-lab/1",
    started: new Date().toISOString(),
    pki: path.join(home, "pki"),
    phoneData: path.join(home, "phone"),
    pin: "1234",
    parties: { gateway: { ...party, ...gateway }, merchant: party, phone: party },
  });
}

describe("argvOnSamePort", () => {
  test("--port 0 becomes the recorded port; a missing --port is added", () => {
    expect(argvOnSamePort(["serve", "--port", "0", "--db", "x"], "http://127.0.0.1:4321")).toEqual([
      "serve",
      "--port",
      "4321",
      "--db",
      "x",
    ]);
    expect(argvOnSamePort(["serve"], "tcp://127.0.0.1:4321")).toEqual(["serve", "--port", "4321"]);
  });

  test("--admin-port 0 becomes the recorded admin listener's port", () => {
    expect(
      argvOnSamePort(
        ["serve", "--port", "0", "--admin-port", "0", "--admin-token-file", "t"],
        "http://127.0.0.1:4321",
        "http://127.0.0.1:4322",
      ),
    ).toEqual(["serve", "--port", "4321", "--admin-port", "4322", "--admin-token-file", "t"]);
    expect(argvOnSamePort(["serve", "--admin-port", "0"], "http://127.0.0.1:1")).toEqual([
      "serve",
      "--admin-port",
      "0",
      "--port",
      "1",
    ]);
  });

  test("a URL without a port is refused", () => {
    expect(() => argvOnSamePort(["serve"], "http://127.0.0.1")).toThrow(LabFailure);
  });
});

describe("killParty", () => {
  test("SIGKILLs the recorded pid and returns once it is gone", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const pid = child.pid!;
    labWith({ pid });
    expect(isAlive(pid)).toBe(true);
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_c, s) => r(s)));
    expect(await killParty(home, "gateway")).toBe(pid);
    expect(await exited).toBe("SIGKILL");
  });

  test("an unknown party is refused", async () => {
    labWith({});
    await expect(killParty(home, "mediator" as never)).rejects.toThrow('unknown party "mediator"');
  });
});

describe("restartParty refuses", () => {
  test("a party that is still running", async () => {
    labWith({ pid: process.pid, argv: ["serve"] });
    await expect(restartParty(home, "gateway")).rejects.toThrow("is still running");
  });

  test("a party whose command line lab.json does not record", async () => {
    labWith({});
    await expect(restartParty(home, "gateway")).rejects.toThrow("does not record how gateway was started");
  });

  test("without a lab", async () => {
    await expect(restartParty(path.join(home, "none"), "gateway")).rejects.toThrow("no lab is running");
  });
});
