/**
 * examples/shop as a shop developer gets it: the SDK packed into tarballs (`pnpm pack:sdk`),
 * installed with plain npm in a folder outside the repository, the shop compiled there with
 * `tsc --strict` against the installed packages, and run against the lab's gateway and phone: an
 * approved purchase captured and partly refunded, and a declined one, the events the shop heard
 * in-process and by webhook asserted.
 *
 * Cost: the folder is kept between runs (os.tmpdir()/setlab-example-shop-<checkout hash>) and npm's cache is warm
 * after the first run, so a run reinstalls the three tarballs only. better-sqlite3's native build
 * is the workspace's own (same version, same Node), copied in instead of compiled (about 3 minutes
 * on two cores); SETLAB_EXAMPLE_NATIVE_BUILD=1 lets npm build it as a shop's install would.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readInitiation } from "@setlab/protocol";
import { seedLabPki } from "@setlab/runtime/testing";
import { down } from "./commands/down";
import { up } from "./commands/up";
import type { LabState } from "./labState";
import { payWithLabCard, type ShopProcess, startShopProcess } from "./testing/shopProcess";

const root = path.resolve(__dirname, "../../..");
// One folder per checkout: two checkouts on one machine do not install over each other.
const work = path.join(
  os.tmpdir(),
  `setlab-example-shop-${createHash("sha256").update(root).digest("hex").slice(0, 12)}`,
);
const packs = path.join(work, "packs");
let home: string;
let state: LabState;
let shop: ShopProcess;
let shopUrl: string;

const npm = (args: string[]) =>
  execFileSync("npm", args, {
    cwd: work,
    stdio: "pipe",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });

function installShop(): void {
  fs.rmSync(packs, { recursive: true, force: true });
  execFileSync("bash", [path.join(root, "scripts/packSdk.sh"), packs], { cwd: root, stdio: "pipe" });
  const example = path.join(root, "examples/shop");
  fs.rmSync(path.join(work, "src"), { recursive: true, force: true });
  fs.rmSync(path.join(work, "dist"), { recursive: true, force: true });
  for (const f of ["package.json", "tsconfig.json", "src"])
    fs.cpSync(path.join(example, f), path.join(work, f), { recursive: true });
  const tarballs = fs.readdirSync(packs).map((t) => path.join(packs, t));
  const native = process.env.SETLAB_EXAMPLE_NATIVE_BUILD === "1";
  npm(["install", "--no-audit", "--no-fund", ...(native ? [] : ["--ignore-scripts"]), ...tarballs]);
  const built = path.join(work, "node_modules/better-sqlite3/build/Release/better_sqlite3.node");
  if (!native && !fs.existsSync(built)) {
    const ours = path.dirname(
      require.resolve("better-sqlite3/package.json", {
        paths: [path.join(root, "packages/merchant-server")],
      }),
    );
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.copyFileSync(path.join(ours, "build/Release/better_sqlite3.node"), built);
  }
  // The shop's own compiler, from its own node_modules, in strict mode.
  execFileSync(
    process.execPath,
    [path.join(work, "node_modules/typescript/bin/tsc"), "-p", ".", "--strict"],
    {
      cwd: work,
      stdio: "pipe",
    },
  );
}

beforeAll(async () => {
  fs.mkdirSync(work, { recursive: true });
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-example-lab-"));
  // Synchronous (npm, tsc) and so before the lab starts: it would hold up the parties' readiness.
  const started = Date.now();
  installShop();
  process.stdout.write(`example shop packed, installed and built in ${Date.now() - started} ms\n`);
  seedLabPki(path.join(home, "pki"));
  state = await up({ home });
  shop = startShopProcess(
    path.join(work, "dist/shop.js"),
    [],
    {
      SETLAB_PKI: state.pki,
      SETLAB_GATEWAY: state.parties.gateway.url,
      PORT: "0",
      SHOP_DB: path.join(home, "shop.db"),
      WEBHOOK_SECRET: "w".repeat(40),
    },
    home,
  );
  shopUrl = (await shop.waitFor(/^shop on (\S+)/))[1];
}, 600_000);

afterAll(async () => {
  await shop?.stop();
  if (state) await down(home).catch(() => {});
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

async function checkout(cart: string) {
  const res = await fetch(`${shopUrl}/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ cart, items: [{ product: "sticker", quantity: 2 }] }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { orderId: number; page: string; initiation: string };
  const page = await (await fetch(new URL(body.page, shopUrl))).text();
  expect(page).toContain(`type="application/set-payment-initiation" data="${body.initiation}"`);
  return readInitiation(await (await fetch(new URL(body.initiation, shopUrl))).json());
}

const events = (cart: string) =>
  shop.lines
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { via: string; id: string; type: string; reference: string })
    .filter((e) => e.reference === cart);

describe("examples/shop, installed from the packed SDK outside the repository", () => {
  it("an approved purchase: authorized, in-process and by verified webhook, once each; the cart ships", async () => {
    const outcome = await payWithLabCard(state, await checkout("cart-1"), "visa-approve");
    expect(outcome.outcome).toBe("approved");
    await shop.waitFor(/"via":"webhook".*"type":"authorized".*"reference":"cart-1"/);
    const seen = events("cart-1");
    expect(seen.map((e) => `${e.via}:${e.type}`).sort()).toEqual([
      "listener:authorized",
      "webhook:authorized",
    ]);
    expect(seen[0].id).toBe(seen[1].id);
    expect(await (await fetch(`${shopUrl}/shipments/cart-1`)).json()).toEqual({
      cart: "cart-1",
      shipped: true,
    });
  }, 60_000);

  it("the shipped cart is captured: captured both ways, once each, though the warehouse calls twice", async () => {
    const capture = () => fetch(`${shopUrl}/shipments/cart-1/capture`, { method: "POST" });
    const first = await capture();
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ cart: "cart-1", state: "captured" });
    await shop.waitFor(/"via":"webhook".*"type":"captured".*"reference":"cart-1"/);
    expect(
      events("cart-1")
        .filter((e) => e.type === "captured")
        .map((e) => e.via)
        .sort(),
    ).toEqual(["listener", "webhook"]);
    const again = await capture();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ cart: "cart-1", state: "captured" });
    expect(events("cart-1").filter((e) => e.type === "captured")).toHaveLength(2);
    expect((await fetch(`${shopUrl}/shipments/cart-404/capture`, { method: "POST" })).status).toBe(404);
  }, 60_000);

  it("a return refunds part of the captured cart, once per return id; refunded both ways; an unpaid cart is refused", async () => {
    const refund = (cart: string, body: object) =>
      fetch(`${shopUrl}/returns/${cart}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const first = await refund("cart-1", { returnId: "r1", amount: 100 });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ cart: "cart-1", state: "partiallyRefunded" });
    // The same return again: the idempotency key makes it the same refund, not a second one.
    expect(await (await refund("cart-1", { returnId: "r1", amount: 100 })).json()).toEqual({
      cart: "cart-1",
      state: "partiallyRefunded",
    });
    await shop.waitFor(/"via":"webhook".*"type":"refunded".*"reference":"cart-1"/);
    const refunded = shop.lines
      .filter((l) => l.startsWith("{") && l.includes('"type":"refunded"') && l.includes('"cart-1"'))
      .map((l) => JSON.parse(l) as { via: string; refunded: number });
    expect(refunded.map((e) => `${e.via}:${e.refunded}`).sort()).toEqual(["listener:100", "webhook:100"]);
    // More than is left is refused before asking; so is a cart never paid.
    expect((await refund("cart-1", { returnId: "r2", amount: 100_000 })).status).toBe(409);
    expect((await refund("cart-404", { returnId: "r3" })).status).toBe(404);
  }, 60_000);

  it("a decline: declined both ways; nothing ships", async () => {
    const outcome = await payWithLabCard(state, await checkout("cart-2"), "mc-nsf");
    expect(outcome.outcome).toBe("declined");
    await shop.waitFor(/"via":"webhook".*"type":"declined".*"reference":"cart-2"/);
    expect(
      events("cart-2")
        .map((e) => `${e.via}:${e.type}`)
        .sort(),
    ).toEqual(["listener:declined", "webhook:declined"]);
    expect(await (await fetch(`${shopUrl}/shipments/cart-2`)).json()).toEqual({
      cart: "cart-2",
      shipped: false,
    });
  }, 60_000);
});
