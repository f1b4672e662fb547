/**
 * The buyer's side of the lifecycle in Debian's Chromium (playwright-core): a subscription bought
 * in the reference web shop (the panel shows its recurring terms, the card signs them, the
 * merchant's HOD check holds them), and the order page's inquiry: a purchase that ended
 * `orderReceived` (every gateway answer a 503 while it ran) is asked about later from the order
 * page, the card on the phone signs the InqReq, the mediator relays, the card checks the shop's
 * signed InqRes, and the panel shows the outcome the card verified. A card that did not make the
 * purchase gets no answer.
 *
 * The lab's gateway and phone are real processes (`up`); the shop runs in this process, its
 * merchant settling authorizations in doubt every 5 s; Chromium starts the native host through the
 * manifest `browser-setup` wrote. Screenshots go to SETLAB_SCREENSHOTS (default
 * screenshots/browser at the repository root, git-ignored).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedLabPki } from "@setlab/runtime/testing";
import type { BrowserContext, Worker } from "playwright-core";
import { askInBrowser, type BrowserPurchaseOptions, buyInBrowser, launchWalletBrowser } from "./browserBuyer";
import { browserSetup } from "./commands/browserSetup";
import { down } from "./commands/down";
import { clearFaults, setFaults } from "./commands/fault";
import { type RunningShop, startShop } from "./commands/shop";
import { up } from "./commands/up";

const pin = "739158246031";
const screenshots =
  process.env.SETLAB_SCREENSHOTS ?? path.resolve(__dirname, "..", "..", "..", "screenshots", "browser");

let home: string;
let profile: string;
let shop: RunningShop;
let context: BrowserContext;
let worker: Worker;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-browser-lifecycle-"));
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-chromium-"));
  seedLabPki(path.join(home, "pki"));
  const state = await up({ home, pin });
  shop = await startShop({ home, port: 0, profiles: ["set", "hardened", "embodiment-2"] });
  ({ context, worker } = await launchWalletBrowser(
    profile,
    browserSetup({ profile, state, trustedOrigins: [shop.url] }),
  ));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await shop?.close();
  await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(profile, { recursive: true, force: true });
});

async function inPage<T>(
  run: (page: Awaited<ReturnType<BrowserContext["newPage"]>>) => Promise<T>,
): Promise<T> {
  const page = await context.newPage();
  try {
    return await run(page);
  } finally {
    await page.close();
  }
}

const buy = (o: Pick<BrowserPurchaseOptions, "product" | "profile" | "cardId" | "name">) =>
  inPage((page) => buyInBrowser(page, { shopUrl: shop.url, pin, screenshots, ...o }));

const ask = (orderId: number, cardId: string, name: string) =>
  inPage((page) => askInBrowser(page, { shopUrl: shop.url, orderId, cardId, pin, screenshots, name }));

describe("a subscription bought in the browser", () => {
  it("shows the recurring terms in the panel before paying; the card signs them and the shop authorizes", async () => {
    const r = await buy({
      product: "sticker-club",
      profile: "set",
      cardId: "visa-approve",
      name: "subscription",
    });
    expect(r.description).toBe("1 x Sticker of the month");
    expect(r.terms).toBe("every 30 days until 2099-12-31");
    // The merchant's HOD check includes the order's terms: a card that had not signed them would
    // have been refused (hodMismatch), not approved.
    expect(r.outcome).toBe("Approved: JPY 400.");
    expect(r.orderState).toBe("authorized");
  }, 120_000);

  it("a product without terms shows none", async () => {
    const r = await buy({
      product: "dual-signature",
      profile: "set",
      cardId: "visa-approve",
      name: "no-terms",
    });
    expect(r.terms).toBeUndefined();
    expect(r.outcome).toBe("Approved: JPY 300.");
  }, 120_000);
});

describe("asking from the order page how a purchase ended", () => {
  let orderId: number;

  it("a purchase the gateway could not answer ends orderReceived in the panel", async () => {
    await setFaults(home, "gateway", { http5xxRate: 1 });
    try {
      const r = await buy({
        product: "payment-gateway",
        profile: "set",
        cardId: "visa-approve",
        name: "in-doubt",
      });
      expect(r.outcome).toBe("The shop took your order but has no answer from your card company yet.");
      orderId = r.orderId;
    } finally {
      await clearFaults(home, "gateway");
    }
  }, 120_000);

  it("later, the card asks the shop and verifies its signed answer: paid", async () => {
    // The merchant settles the authorization in doubt on its own; the buyer comes back after that.
    let answer = await ask(orderId, "visa-approve", "paid");
    while (answer.message.includes("no answer from your card company yet"))
      answer = await ask(orderId, "visa-approve", "paid");
    expect(answer.amount).toBe("JPY 1200");
    expect(answer.outcome).toBe("approved");
    expect(answer.message).toBe(
      "Your card checked the shop's signed answer: paid, JPY 1200 (authorizationPerformed).",
    );
    expect(answer.progress).toContain("Your card asks the shop how the order ended.");
    expect(answer.progress).toContain("Your card is checking the shop's signed answer.");
  }, 180_000);

  it("a card that did not make the purchase gets no answer", async () => {
    const answer = await ask(orderId, "visa-nsf", "other-card");
    expect(answer.outcome).toBe("refused");
    expect(answer.message).toMatch(/^No verified answer: the card does not remember that purchase \(6A80\)/);
  }, 120_000);

  it("the extension starts no inquiry for a marker without an XID, or of a kind it does not know", async () => {
    const start = (message: object) =>
      worker.evaluate(
        ([m, sender]) =>
          (self as unknown as { startPurchase(m: object, s: object): Promise<unknown> }).startPurchase(
            m,
            sender,
          ),
        [message, { origin: shop.url, frameId: 0, tab: { id: 1 } }] as const,
      );
    const initiationUrl = `${shop.url}/pay/orders/${orderId}/initiation`;
    expect(await start({ markers: 1, initiationUrl, purpose: "inquiry", xid: "12" })).toBe("refused: no XID");
    expect(await start({ markers: 1, initiationUrl, purpose: "inquiry" })).toBe("refused: no XID");
    expect(await start({ markers: 1, initiationUrl, purpose: "refund" })).toBe("refused: unknown marker");
  });
});
