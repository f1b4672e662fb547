/** Starting a party: a start that fails says why in one line, from what this start wrote. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LabFailure } from "./labState";
import { spawnParty } from "./processes";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-processes-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A party program that writes `stderr` and exits 2, as a CLI refusing its arguments does. */
function refusingScript(name: string, stderr: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, `process.stderr.write(${JSON.stringify(stderr)}); process.exit(2);`);
  return file;
}

const files = (name: string) => ({ out: path.join(dir, `${name}.out`), log: path.join(dir, `${name}.log`) });

test("the party's own refusal is the failure's line, not its usage", async () => {
  const script = refusingScript(
    "refuses",
    "set-merchant: --port takes a number\nusage: set-merchant serve ...\n",
  );
  const failure = await spawnParty("merchant", script, [], files("refuses")).catch((e: Error) => e);
  expect(failure).toBeInstanceOf(LabFailure);
  expect((failure as Error).message).toBe(
    `merchant exited (code 2) before listening: set-merchant: --port takes a number (see ${files("refuses").log})`,
  );
});

test("a refusal an earlier start left in the log is not this start's reason", async () => {
  fs.writeFileSync(files("again").log, "set-gateway: an old refusal\n");
  const script = refusingScript("again", "something else went wrong\n");
  const failure = await spawnParty("gateway", script, [], files("again")).catch((e: Error) => e);
  expect((failure as Error).message).toBe(
    `gateway exited (code 2) before listening: see ${files("again").log}`,
  );
  // The log keeps both starts.
  expect(fs.readFileSync(files("again").log, "utf8")).toBe(
    "set-gateway: an old refusal\nsomething else went wrong\n",
  );
});
