/**
 * The lines and exit codes of `set-lab capture` and `set-lab reverse`: the built CLI against a
 * stand-in for the merchant's admin routes over real HTTP, named by a lab state file.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fastify, { type FastifyInstance } from "fastify";

const cli = path.resolve(__dirname, "..", "dist", "cli.js");
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

let home: string;
let app: FastifyInstance;
/** What the stand-in answers the next POST with. */
let answer: Record<string, unknown> = {};

beforeAll(async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -b first`);
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-cli-orders-"));
  app = fastify();
  app.get("/orders/:id", async () => ({ id: 7, currency: 392 }));
  app.post("/orders/:id/:operation", async () => answer);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const adminTokenFile = path.join(home, "admin-token");
  fs.writeFileSync(adminTokenFile, "t".repeat(32), { mode: 0o600 });
  fs.writeFileSync(
    path.join(home, "lab.json"),
    JSON.stringify({ format: "setlab-lab/1", adminTokenFile, parties: { merchant: { adminUrl: url } } }),
    { mode: 0o600 },
  );
});
afterAll(async () => {
  await app.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function run(...args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args, "--home", home], { encoding: "utf8" }, (e, stdout) =>
      resolve({ status: e ? Number(e.code) : 0, stdout }),
    );
  });
}

describe("set-lab capture and reverse", () => {
  it.each([
    [
      "capture, captured",
      ["capture", "7"],
      { id: 7, state: "captured", authorization: { capture: { capCode: "success", capAmt: jpy(5000) } } },
      0,
      "order 7 captured: JPY 5000\n",
    ],
    [
      "capture, refused",
      ["capture", "7", "5000"],
      { id: 7, state: "authorized", authorization: { capture: { capCode: "duplicateRequest" } } },
      2,
      "order 7 not captured (authorized): CapCode duplicateRequest\n",
    ],
    [
      "capture of authorization 2, unanswered",
      ["capture", "7", "--authorization", "2"],
      {
        id: 7,
        state: "authorized",
        authorization: { subsequent: [{ part: 2, authCode: "approved", capture: { failure: "timeout" } }] },
      },
      2,
      "order 7 not captured (authorized): timeout\n",
    ],
    [
      "reverse, cancelled",
      ["reverse", "7"],
      {
        id: 7,
        state: "cancelled",
        authorization: { authAmt: jpy(0), reversal: { authRevCode: "approved" } },
      },
      0,
      "order 7 cancelled: authorization 1 reversed, nothing authorized\n",
    ],
    [
      "reverse of authorization 2, reduced",
      ["reverse", "7", "3000", "--authorization", "2"],
      {
        id: 7,
        state: "authorized",
        authorization: {
          subsequent: [
            { part: 2, authCode: "approved", authAmt: jpy(3000), reversal: { authRevCode: "approved" } },
          ],
        },
      },
      0,
      "order 7 authorized: authorization 2 reduced to JPY 3000\n",
    ],
    [
      "reverse, refused",
      ["reverse", "7"],
      { id: 7, state: "captured", authorization: { reversal: { authRevCode: "unspecifiedFailure" } } },
      2,
      "order 7 not reversed (captured): AuthRevCode unspecifiedFailure\n",
    ],
    [
      "reverse, no answer",
      ["reverse", "7"],
      { id: 7, state: "authorized", authorization: {} },
      2,
      "order 7 not reversed (authorized): no answer\n",
    ],
  ])("%s", async (_, args, order, status, line) => {
    answer = order;
    expect(await run(...args)).toEqual({ status, stdout: line });
  });

  it("--json prints the merchant's answer whole, with the same exit code", async () => {
    answer = { id: 7, state: "authorized", authorization: { capture: { capCode: "duplicateRequest" } } };
    const r = await run("capture", "7", "--json");
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual(answer);
  });

  it("--json prints even an answer no line can show (an amount that is not a whole number)", async () => {
    const odd = { currency: 392, amount: 1.5, amtExp10: 0 };
    answer = { id: 7, state: "captured", authorization: { capture: { capCode: "success", capAmt: odd } } };
    expect(await run("capture", "7", "--json")).toEqual({ status: 0, stdout: `${JSON.stringify(answer)}\n` });
  });
});
