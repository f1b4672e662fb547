/**
 * The patent as a person uses it (claim 3), in Debian's Chromium driven by playwright-core: the
 * buyer shops in the reference web shop, checks out, the SET extension finds the marker on the
 * checkout page and starts the mediator as its native-messaging host, the buyer picks the card and
 * types the PIN in the wallet panel, the phone is asked, and the shop's result page shows the
 * merchant's stored order state. Also: a marker on an origin the extension does not trust, one
 * naming another origin's object or nothing, two markers on a page, and pages without the marker
 * start nothing; and the mediator's working directory, HOME and TMPDIR stay empty while the
 * browser profile holds no PAN, card secret or PIN afterwards, after purchases under every
 * profile (the first embodiment's card information, PAN included, passes through the mediator).
 * The three embodiments run from the same shop: the buyer picks the profile in the cart and the
 * initiation object's profile selects the mediator's route; under the second the panel shows the
 * order the card marked non-forward and waits for Confirm or Cancel.
 *
 * The lab's gateway and phone are real processes (`up`); the shop runs in this process; Chromium
 * starts the host through the manifest `browser-setup` wrote into the profile. Screenshots of each
 * page go to SETLAB_SCREENSHOTS (default: screenshots/browser at the repository root, git-ignored).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { LabPki } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import type { BrowserContext, Worker } from "playwright-core";
import { type BrowserPurchaseOptions, buyInBrowser, chromiumPath, launchWalletBrowser } from "./browserBuyer";
import { type BrowserSetup, browserSetup } from "./commands/browserSetup";
import { down } from "./commands/down";
import { type RunningShop, startShop } from "./commands/shop";
import { up } from "./commands/up";
import type { LabState } from "./labState";

// Long and unusual, so that finding it in the profile's files would mean it was stored.
const pin = "739158246031";
const screenshots =
  process.env.SETLAB_SCREENSHOTS ?? path.resolve(__dirname, "..", "..", "..", "screenshots", "browser");

let home: string;
let profile: string;
let state: LabState;
let shop: RunningShop;
let setup: BrowserSetup;
let context: BrowserContext;
let worker: Worker;
let stranger: http.Server;
let strangerUrl: string;
let pointer: http.Server;
let pointerUrl: string;

/** A loopback site serving one page; its origin. */
async function site(body: (origin: string, path: string) => string): Promise<[http.Server, string]> {
  let origin = "";
  const server = http.createServer((req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(body(origin, req.url ?? "/"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return [server, origin];
}

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath))
    throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`);
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-browser-"));
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-chromium-"));
  // The phone confirms after a second, as a person would: the panel's "confirm on your phone"
  // step is on screen while it waits (the 4-phone screenshot).
  seedLabPki(path.join(home, "pki"));
  state = await up({ home, pin, phoneConfirmAfterMs: 1000 });
  shop = await startShop({
    home,
    port: 0,
    profiles: ["set", "hardened", "embodiment-1", "embodiment-2"],
  });
  // A site the extension does not trust, on the same host as the shop, with a well-formed marker.
  [stranger, strangerUrl] = await site(
    () =>
      '<!doctype html><title>Elsewhere</title><p>Not a shop you trust.</p><object type="application/set-payment-initiation" data="/pay/orders/1/initiation" hidden></object>',
  );
  // A trusted site whose markers are wrong: one naming another origin's initiation object (the
  // shop's), two at once, or one naming nothing.
  const marker = (data?: string) =>
    `<object type="application/set-payment-initiation"${data === undefined ? "" : ` data="${data}"`} hidden></object>`;
  [pointer, pointerUrl] = await site((_origin, page) => {
    const markers: Record<string, string> = {
      "/": marker(`${shop.url}/pay/orders/1/initiation`),
      "/two": marker("/a/initiation") + marker("/b/initiation"),
      "/empty": marker(),
    };
    return `<!doctype html><title>Pointer</title>${markers[page] ?? ""}`;
  });
  setup = browserSetup({ profile, state, trustedOrigins: [shop.url, pointerUrl] });
  ({ context, worker } = await launchWalletBrowser(profile, setup));
}, 180_000);

afterAll(async () => {
  await context?.close();
  for (const server of [stranger, pointer])
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await shop?.close();
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(profile, { recursive: true, force: true });
});

/** One purchase in a fresh page, at this suite's shop, with its PIN and screenshot folder. */
async function buy(o: Pick<BrowserPurchaseOptions, "product" | "profile" | "cardId" | "name" | "confirm">) {
  const page = await context.newPage();
  try {
    return await buyInBrowser(page, { shopUrl: shop.url, pin, screenshots, ...o });
  } finally {
    await page.close();
  }
}

const decisions = () => worker.evaluate(() => (self as unknown as { decisions: unknown[] }).decisions);

describe("a purchase from the browser (the third and the first embodiments)", () => {
  it("pays an order: marker found, mediator started, phone asked, result page authorized", async () => {
    const r = await buy({
      product: "dual-signature",
      profile: "set",
      cardId: "visa-approve",
      name: "approved",
    });
    expect(r.amount).toBe("JPY 300");
    expect(r.description).toBe("1 x Dual signature sticker");
    // The host read the profile from the initiation object: the route it runs is chosen by it.
    expect(r.profile).toBe("set");
    expect(r.outcome).toBe("Approved: JPY 300.");
    expect(r.progress).toContain("Confirm the purchase on your phone.");
    expect(r.waitedOnPhone).toBe(true);
    expect(fs.existsSync(path.join(screenshots, "4-phone-approved.png"))).toBe(true);
    expect(r.progress).toContain("The shop is asking your card company.");
    expect(r.orderState).toBe("authorized");
  }, 120_000);

  it("shows a declined card with its reason under the hardened profile, and the result page says declined", async () => {
    const r = await buy({
      product: "payment-gateway",
      profile: "hardened",
      cardId: "visa-nsf",
      name: "declined",
    });
    expect(r.profile).toBe("hardened");
    expect(r.outcome).toBe("Declined: your card company did not approve the payment.");
    expect(r.orderState).toBe("declined");
  }, 120_000);

  it("pays under the first embodiment: the card's information goes to the shop, which has the card company authorize", async () => {
    const r = await buy({
      product: "payment-gateway",
      profile: "embodiment-1",
      cardId: "visa-approve",
      name: "e1",
    });
    expect(r.profile).toBe("embodiment-1");
    expect(r.amount).toBe("JPY 1200");
    expect(r.outcome).toBe("Approved: JPY 1200.");
    // The card asks the cardholder before it signs its card information.
    expect(r.progress).toContain("Confirm the purchase on your phone.");
    expect(r.progress).toContain("The shop is asking your card company.");
    expect(r.confirmation).toBeUndefined();
    expect(r.orderState).toBe("authorized");
  }, 120_000);

  it("declines under the first embodiment, and the result page says declined", async () => {
    const r = await buy({
      product: "dual-signature",
      profile: "embodiment-1",
      cardId: "visa-nsf",
      name: "e1-declined",
    });
    expect(r.outcome).toBe("Declined: your card company did not approve the payment.");
    expect(r.orderState).toBe("declined");
  }, 120_000);
});

describe("the second embodiment in the browser: the order under the non-forward flag", () => {
  it("shows the card's order in the panel, pays after the buyer's Confirm", async () => {
    const r = await buy({
      product: "non-forward",
      profile: "embodiment-2",
      cardId: "visa-approve",
      name: "e2",
    });
    expect(r.profile).toBe("embodiment-2");
    // What the card opened under the session key, shown on the PC: exact amount with its ISO 4217
    // code, the order, the merchant its certificate names.
    expect(r.confirmation).toEqual({
      merchant: expect.stringMatching(/\S/),
      description: "1 x Non-forward flag pin",
      amount: "JPY 500",
    });
    expect(r.outcome).toBe("Approved: JPY 500.");
    expect(r.progress).toContain("Your card checked the shop's certificate.");
    expect(r.progress).not.toContain("Confirm the purchase on your phone.");
    expect(r.orderState).toBe("authorized");
  }, 120_000);

  it("declines a card without funds after the buyer's Confirm, and the result page says declined", async () => {
    const r = await buy({
      product: "non-forward",
      profile: "embodiment-2",
      cardId: "visa-nsf",
      name: "e2-declined",
    });
    expect(r.confirmation?.amount).toBe("JPY 500");
    expect(r.outcome).toBe("Declined: your card company did not approve the payment.");
    expect(r.orderState).toBe("declined");
  }, 120_000);

  it("sends nothing more to the shop when the buyer cancels the order shown", async () => {
    const r = await buy({
      product: "non-forward",
      profile: "embodiment-2",
      cardId: "visa-approve",
      name: "e2-cancelled",
      confirm: false,
    });
    expect(r.confirmation?.description).toBe("1 x Non-forward flag pin");
    expect(r.outcome).toBe("The payment did not go ahead: the buyer did not confirm the order.");
    // The shop never received the card information: its order is still waiting for a payment.
    expect(r.orderState).toBe("initiated");
  }, 120_000);
});

describe("markers that start nothing, and what the PC keeps", () => {
  it("starts nothing for an untrusted origin, a marker naming another origin or nothing, two markers, or no marker", async () => {
    const page = await context.newPage();
    for (const [url, refusal] of [
      [strangerUrl, "refused: untrusted origin"],
      [pointerUrl, "refused: initiation object on another origin"],
      [`${pointerUrl}/two`, "refused: not exactly one marker"],
      [`${pointerUrl}/empty`, "refused: not a URL"],
    ]) {
      await page.goto(url);
      // The worker's refusal is the sign the content script ran and asked; no waiting on a clock.
      while (!JSON.stringify(await decisions()).includes(refusal))
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await page.locator("#setlab-wallet-panel").count()).toBe(0);
    }
    await page.screenshot({ path: path.join(screenshots, "7-untrusted.png") });
    // The worker's other refusals, asked directly with what a content script cannot send.
    const ask = (message: object, sender: object) =>
      worker.evaluate(
        ([m, s]) =>
          (self as unknown as { startPurchase(m: object, s: object): Promise<unknown> }).startPurchase(m, s),
        [message, sender] as const,
      );
    const initiationUrl = `${shop.url}/pay/orders/1/initiation`;
    expect(await ask({ markers: 1, initiationUrl }, { origin: shop.url, frameId: 1, tab: { id: 1 } })).toBe(
      "refused: not a top-level page",
    );
    expect(await ask({ markers: 1, initiationUrl }, { origin: shop.url, frameId: 0 })).toBe(
      "refused: not a top-level page",
    );
    expect(
      await ask({ markers: 1, initiationUrl: "not a url" }, { origin: shop.url, frameId: 0, tab: { id: 1 } }),
    ).toBe("refused: not a URL");
    expect(await ask({ markers: 1, initiationUrl }, { origin: "null", frameId: 0, tab: { id: 1 } })).toBe(
      "refused: untrusted origin",
    );
    // Product lists, carts and result pages (no marker) were opened above; only the seven checkout
    // pages asked for a purchase, and only they started the mediator.
    expect(await decisions()).toEqual([
      ...Array.from({ length: 7 }, () => ({ origin: shop.url, decision: "started" })),
      { origin: strangerUrl, decision: "refused: untrusted origin" },
      { origin: pointerUrl, decision: "refused: initiation object on another origin" },
      { origin: pointerUrl, decision: "refused: not exactly one marker" },
      { origin: pointerUrl, decision: "refused: not a URL" },
      { origin: shop.url, decision: "refused: not a top-level page" },
      { origin: shop.url, decision: "refused: not a top-level page" },
      { origin: shop.url, decision: "refused: not a URL" },
      { origin: "null", decision: "refused: untrusted origin" },
    ]);
    await page.close();
  }, 60_000);

  it("leaves the mediator's directories empty and no PAN, card secret or PIN in the profile", async () => {
    // After the purchases of every profile above (seven mediators started), the first embodiment's
    // PAN among what crossed the PC.
    expect(
      (await decisions()).filter((d) => (d as { decision: string }).decision === "started"),
    ).toHaveLength(7);
    for (const dir of Object.values(setup.hostDirs)) expect(fs.readdirSync(dir)).toEqual([]);
    const secrets: string[] = [pin];
    for (const card of Object.values(LabPki.open(state.pki).cards())) secrets.push(card.pan, card.panSecret);
    const found: string[] = [];
    let scanned = 0;
    const scan = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) scan(file);
        else if (entry.isFile()) {
          const bytes = fs.readFileSync(file);
          scanned++;
          const text = bytes.toString("latin1");
          const utf16 = bytes.toString("utf16le");
          for (const s of secrets) if (text.includes(s) || utf16.includes(s)) found.push(`${entry.name}`);
        }
      }
    };
    scan(profile);
    // The browser did keep a profile there (history, preferences, the extension's storage).
    expect(scanned).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });
});
