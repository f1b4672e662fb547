/**
 * A lab whose parties were started WITHOUT SETLAB_ALLOW_FAULTS=1: no fault route exists (404 for
 * every method) and the `set-lab fault` CLI says why, with exit code 2.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adminFetch } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { adminOf, type LabState } from "../labState";
import { down } from "./down";
import { setFaults } from "./fault";
import { up } from "./up";

jest.setTimeout(120_000);

const cli = path.resolve(__dirname, "..", "..", "dist", "cli.js");
let home: string;
let state: LabState;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-nofaults-"));
  seedLabPki(path.join(home, "pki"));
  state = await up({ home, env: { SETLAB_ALLOW_FAULTS: "" } });
}, 180_000);

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

describe("fault switches are off without SETLAB_ALLOW_FAULTS=1", () => {
  it.each(["gateway", "merchant"] as const)("the %s has no /admin/faults routes", async (party) => {
    const admin = adminOf(state, party);
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await adminFetch(admin, "/admin/faults", {
        method,
        ...(method === "PUT"
          ? { headers: { "content-type": "application/json" }, body: '{"dropRate":1}' }
          : {}),
      });
      expect(res.status).toBe(404);
    }
    // The other routes are there: the 404 is the fault routes' alone.
    expect((await fetch(`${state.parties[party].url}/health`)).status).toBe(200);
    const inspection = party === "gateway" ? "/admin/accounts/visa-approve" : "/orders/999999";
    expect((await adminFetch(admin, inspection)).status).toBe(party === "gateway" ? 200 : 404);
    expect((await fetch(`${admin.url}${inspection}`)).status).toBe(401);
    expect(fs.readFileSync(state.parties[party].log, "utf8")).not.toContain("faultsAllowed");
  });

  it("setFaults and the CLI say the party has no fault switches", async () => {
    await expect(setFaults(home, "gateway", { dropRate: 1 })).rejects.toThrow(
      /without SETLAB_ALLOW_FAULTS=1/,
    );
    const r = spawnSync(
      process.execPath,
      [cli, "fault", "merchant", "--pause-after-authres", "10", "--home", home],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "the merchant has no fault switches (it was started without SETLAB_ALLOW_FAULTS=1)",
    );
  });
});
