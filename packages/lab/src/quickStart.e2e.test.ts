/**
 * The merchant README's quick-start, taken from the README as it stands (its first `ts` block),
 * compiled as a reader would (TypeScript to an ES module) and run as its own process against the
 * lab's gateway and phone: an approved purchase and a decline, the shop's printed reactions to the
 * events asserted. The README cannot rot without this failing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readInitiation } from "@setlab/protocol";
import { seedLabPki } from "@setlab/runtime/testing";
import { transformSync } from "@swc/core";
import { down } from "./commands/down";
import { up } from "./commands/up";
import type { LabState } from "./labState";
import { payWithLabCard, type ShopProcess, startShopProcess } from "./testing/shopProcess";

const root = path.resolve(__dirname, "../../..");
const readme = path.join(root, "packages/merchant-server/README.md");
let home: string;
let state: LabState;
let shop: ShopProcess;
let shopUrl: string;
// Inside the package, so that the quick-start's imports resolve as they would in an installed one
// (the package's own name through its exports map, fastify from its dependencies).
const runDir = path.join(root, "packages/merchant-server", `.quickstart-${process.pid}`);

/** The first ```ts block after "## Quick start". */
function quickStartCode(markdown: string): string {
  const section = markdown.slice(markdown.indexOf("## Quick start"));
  const m = section.match(/```ts\n([\s\S]*?)```/);
  if (!m) throw new Error("no ts block in the README's quick start");
  return m[1];
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-quickstart-"));
  seedLabPki(path.join(home, "pki"));
  state = await up({ home });
  const code = quickStartCode(fs.readFileSync(readme, "utf8"));
  // Types stripped, as TypeScript's transpile-only mode does (TypeScript 7 has no JavaScript API).
  const js = transformSync(code, {
    filename: "shop.ts",
    jsc: { target: "es2022", parser: { syntax: "typescript" } },
    module: { type: "es6" },
  }).code;
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, "shop.mjs"), js);
  shop = startShopProcess(
    path.join(runDir, "shop.mjs"),
    [],
    { SETLAB_PKI: state.pki, SETLAB_GATEWAY: state.parties.gateway.url, PORT: "0" },
    home,
  );
  shopUrl = (await shop.waitFor(/^shop on (\S+)/))[1];
}, 120_000);

afterAll(async () => {
  await shop?.stop();
  fs.rmSync(runDir, { recursive: true, force: true });
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

async function checkout(cart: string) {
  const res = await fetch(`${shopUrl}/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ cart }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { orderId: number; initiation: string };
  const initiation = readInitiation(await (await fetch(new URL(body.initiation, shopUrl))).json());
  return { ...body, initiation };
}

describe("the merchant README's quick-start", () => {
  test("the README's code block is what runs", () => {
    expect(quickStartCode(fs.readFileSync(readme, "utf8"))).toMatch(/createMerchant\(/);
  });

  it("an approved purchase: the shop hears authorized and ships", async () => {
    const { initiation, orderId } = await checkout("A-1001");
    // The idempotency key: the same checkout twice is one order.
    expect((await checkout("A-1001")).orderId).toBe(orderId);
    const outcome = await payWithLabCard(state, initiation, "visa-approve");
    expect(outcome.reason ?? "").toBe("");
    expect(outcome.outcome).toBe("approved");
    await shop.waitFor(/^ship order A-1001$/);
  }, 60_000);

  it("a decline: the shop hears declined and ships nothing", async () => {
    const { initiation } = await checkout("A-1002");
    const outcome = await payWithLabCard(state, initiation, "visa-nsf");
    expect(outcome.outcome).toBe("declined");
    await shop.waitFor(/^order A-1002 declined$/);
    expect(shop.lines).not.toContain("ship order A-1002");
  }, 60_000);
});
