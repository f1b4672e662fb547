/**
 * A buyer in Debian's Chromium (headless, driven by playwright-core): the browser started on a
 * profile `browser-setup` prepared, with the SET extension loaded, and the steps a person takes in
 * the reference web shop: add a product, check out, pick the card and type the PIN in the wallet
 * panel, under the second embodiment confirm (or not) the order the card shows under the
 * non-forward flag, read the outcome, continue to the shop's result page. A screenshot of each page
 * goes to `screenshots`: 1-products, 2-cart, 3-checkout, 4-confirm (second embodiment) or 4-phone
 * (SET: the card waits for the buyer on the phone), 5-outcome (the panel's steps and the
 * outcome), 6-result. The browser e2e test and `set-lab demo --browser` both use it. Later, the
 * same buyer asks from the order page how the order ended (`askInBrowser`): 7-inquiry (the
 * panel over the inquiry page), 8-inquiry-outcome (what the card verified).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { InitiationProfile } from "@setlab/protocol";
import type { BrowserContext, Page, Worker } from "playwright-core";
import type { BrowserSetup } from "./commands/browserSetup";
import { LabFailure } from "./labState";

export const chromiumPath = "/usr/bin/chromium";

export interface WalletBrowser {
  readonly context: BrowserContext;
  /** The extension's service worker (its `decisions` say which markers started the mediator). */
  readonly worker: Worker;
}

/** Chromium on the prepared profile with the SET extension; never a downloaded browser. */
export async function launchWalletBrowser(profile: string, setup: BrowserSetup): Promise<WalletBrowser> {
  if (!fs.existsSync(chromiumPath))
    throw new LabFailure(`${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`);
  const { chromium } = await import("playwright-core");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    // Small enough for the screenshots kept in docs/screenshots/, large enough for the shop's page
    // beside the wallet panel.
    viewport: { width: 1024, height: 640 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--disable-extensions-except=${setup.extensionDir}`,
      `--load-extension=${setup.extensionDir}`,
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
  return { context, worker };
}

export interface BrowserPurchase {
  /** What the wallet panel said: the order's amount and profile, each step, the outcome sentence. */
  readonly amount: string;
  readonly description: string;
  readonly profile: string;
  readonly progress: readonly string[];
  readonly outcome: string;
  /** The order state the shop's result page shows. */
  readonly orderState: string;
  /** The shop's order number (from the result page's address). */
  readonly orderId: number;
  /** The installment or recurring terms the panel showed with the order, when it had some. */
  readonly terms?: string;
  /** SET: the panel still waited for the phone when its "confirm on your phone" step was shown. */
  readonly waitedOnPhone?: boolean;
  /** Second embodiment: what the panel showed of the order the card marked non-forward. */
  readonly confirmation?: {
    readonly merchant: string;
    readonly description: string;
    readonly amount: string;
  };
}

export interface BrowserPurchaseOptions {
  readonly shopUrl: string;
  /** A product id of the shop's catalogue (its card has the id `product-<id>`). */
  readonly product: string;
  readonly profile: InitiationProfile;
  readonly cardId: string;
  /** Second embodiment: the buyer's answer to the order shown for confirmation (default yes). */
  readonly confirm?: boolean;
  readonly pin: string;
  readonly screenshots: string;
  /** Names this purchase's screenshots (`3-checkout-<name>.png`, ...). */
  readonly name: string;
}

/** One purchase as a person makes it, from the product list to the result page. */
export async function buyInBrowser(page: Page, o: BrowserPurchaseOptions): Promise<BrowserPurchase> {
  fs.mkdirSync(o.screenshots, { recursive: true });
  const shot = (file: string) => page.screenshot({ path: path.join(o.screenshots, file) });
  await page.goto(o.shopUrl);
  await shot("1-products.png");
  await page.locator(`#product-${o.product} button`).click();
  await page.waitForURL(/\/cart$/);
  const choice = page.locator('select[name="profile"]');
  if ((await choice.count()) > 0) await choice.selectOption(o.profile);
  await shot(`2-cart-${o.name}.png`);
  await page.locator("#checkout").click();
  await page.waitForURL(/\/checkout\/[0-9]+$/);
  // The extension found the marker and the mediator answered with the order.
  const panel = page.frameLocator("#setlab-wallet-panel");
  await panel.locator("#order-amount").waitFor();
  const text = async (selector: string) => (await panel.locator(selector).textContent()) ?? "";
  const amount = await text("#order-amount");
  const description = await text("#order-description");
  const profile = await text("#order-profile");
  const terms = (await panel.locator("#order-terms-line").isVisible())
    ? await text("#order-terms")
    : undefined;
  await panel.locator("#card").selectOption(o.cardId);
  await panel.locator("#pin").fill(o.pin);
  await shot(`3-checkout-${o.name}.png`);
  await panel.locator("#pay").click();
  let confirmation: BrowserPurchase["confirmation"];
  if (o.profile === "embodiment-2") {
    // The host waits for the buyer here: the card's order is on screen until the answer.
    await panel.locator("#confirm-amount").waitFor();
    confirmation = {
      merchant: await text("#confirm-merchant"),
      description: await text("#confirm-description"),
      amount: await text("#confirm-amount"),
    };
    await shot(`4-confirm-${o.name}.png`);
    await panel.locator(o.confirm === false ? "#confirm-no" : "#confirm-yes").click();
  }
  let waitedOnPhone: boolean | undefined;
  if (o.profile === "set" || o.profile === "hardened") {
    // The card waits for the buyer on the phone; a lab phone that confirms after a while
    // (`up({ phoneConfirmAfterMs })`) leaves this step on screen long enough to be seen.
    await panel.locator("#progress li", { hasText: "Confirm the purchase on your phone." }).waitFor();
    waitedOnPhone = await panel.locator("#phone").isVisible();
    await shot(`4-phone-${o.name}.png`);
  }
  await panel.locator("#outcome-message").waitFor();
  await shot(`5-outcome-${o.name}.png`);
  const outcome = await text("#outcome-message");
  const progress = await panel.locator("#progress li").allTextContents();
  await panel.locator("#continue").click();
  await page.waitForURL(/\/pay\/orders\/[0-9]+\/done$/);
  await shot(`6-result-${o.name}.png`);
  const orderState = (await page.locator("#order-state").textContent()) ?? "";
  return {
    amount,
    description,
    profile,
    progress,
    outcome,
    orderState,
    orderId: Number(/\/orders\/([0-9]+)\/done$/.exec(page.url())?.[1]),
    ...(terms !== undefined ? { terms } : {}),
    ...(waitedOnPhone !== undefined ? { waitedOnPhone } : {}),
    ...(confirmation ? { confirmation } : {}),
  };
}

export interface BrowserInquiry {
  /** What the panel said: the buyer is asked about this amount, then each step and the card's answer. */
  readonly amount: string;
  readonly progress: readonly string[];
  /** The panel's outcome kind (approved, orderReceived, refused, ...) and its sentence. */
  readonly outcome: string;
  readonly message: string;
  /** What the shop's own inquiry page said of the order, beside the card's answer. */
  readonly shopState: string;
}

/**
 * A buyer back on an order's page asks the card how it ended: the order page's link, the inquiry
 * page's marker starts the mediator, the buyer picks the card and types the PIN, the card asks
 * the shop and checks the signed answer, and the panel shows what the card verified.
 */
export async function askInBrowser(
  page: Page,
  o: {
    readonly shopUrl: string;
    readonly orderId: number;
    readonly cardId: string;
    readonly pin: string;
    readonly screenshots: string;
    readonly name: string;
  },
): Promise<BrowserInquiry> {
  fs.mkdirSync(o.screenshots, { recursive: true });
  await page.goto(`${o.shopUrl}/pay/orders/${o.orderId}/done`);
  await page.locator("#order-inquiry-link").click();
  await page.waitForURL(/\/orders\/[0-9]+\/inquire$/);
  const panel = page.frameLocator("#setlab-wallet-panel");
  await panel.locator("#order-amount").waitFor();
  const amount = (await panel.locator("#order-amount").textContent()) ?? "";
  await panel.locator("#card").selectOption(o.cardId);
  await panel.locator("#pin").fill(o.pin);
  await page.screenshot({ path: path.join(o.screenshots, `7-inquiry-${o.name}.png`) });
  await panel.locator("#pay").click();
  await panel.locator("#outcome-message").waitFor();
  await page.screenshot({ path: path.join(o.screenshots, `8-inquiry-outcome-${o.name}.png`) });
  return {
    amount,
    progress: await panel.locator("#progress li").allTextContents(),
    outcome: (await panel.locator("#outcome").getAttribute("data-outcome")) ?? "",
    message: (await panel.locator("#outcome-message").textContent()) ?? "",
    shopState: (await page.locator("#order-state").textContent()) ?? "",
  };
}
