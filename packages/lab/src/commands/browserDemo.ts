/**
 * The demo's browser part (`set-lab demo --browser`): the reference web shop on the running lab,
 * a fresh Chromium profile prepared by `browser-setup`, and two purchases made as a person makes
 * them (claim 3: the checkout page's marker starts the mediator through the SET extension): one
 * under hardened SET, one under the patent's second embodiment, where the wallet panel shows the
 * order the card marked non-forward for the buyer's Confirm. The pages are saved as screenshots in
 * HOME/screenshots.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrowserPurchase, buyInBrowser, launchWalletBrowser } from "../browserBuyer";
import type { LabState } from "../labState";
import type { Trace } from "../trace";
import { browserSetup } from "./browserSetup";
import { startShop } from "./shop";

const demoPurchases = [
  { product: "dual-signature", profile: "hardened", name: "demo" },
  { product: "non-forward", profile: "embodiment-2", name: "demo-e2" },
] as const;

export async function browserDemo(home: string, state: LabState, trace: Trace): Promise<BrowserPurchase[]> {
  const shop = await startShop({
    home,
    port: 0,
    profiles: ["set", "hardened", "embodiment-1", "embodiment-2"],
  });
  try {
    trace.step(
      "lab",
      `start the reference web shop at ${shop.url} (the merchant SDK embedded as its plugin)`,
    );
    const profile = path.join(home, "chromium-profile");
    fs.rmSync(profile, { recursive: true, force: true });
    const setup = browserSetup({ profile, state, trustedOrigins: [shop.url] });
    trace.fact("browser-setup", `extension ${setup.extensionId}, host manifest ${setup.hostManifest}`);
    const { context } = await launchWalletBrowser(profile, setup);
    try {
      const screenshots = path.join(home, "screenshots");
      const results: BrowserPurchase[] = [];
      for (const purchase of demoPurchases) {
        trace.step(
          "buyer",
          `S1-S4 in Chromium (${purchase.profile}): add a product, check out; the extension finds the marker and starts the mediator`,
        );
        const r = await buyInBrowser(await context.newPage(), {
          shopUrl: shop.url,
          ...purchase,
          cardId: "visa-approve",
          pin: state.pin,
          screenshots,
        });
        trace.fact("wallet panel", `${r.amount} for "${r.description}", profile ${r.profile}`);
        if (r.confirmation)
          trace.fact(
            "non-forward order",
            `shown for the buyer's Confirm, not sent to the shop: ${r.confirmation.amount} for "${r.confirmation.description}" from ${r.confirmation.merchant}`,
          );
        for (const line of r.progress) trace.fact("progress", line);
        trace.fact("outcome", r.outcome);
        trace.fact("result page", `order state ${r.orderState}`);
        results.push(r);
      }
      trace.fact("screenshots", screenshots);
      return results;
    } finally {
      await context.close();
    }
  } finally {
    await shop.close();
  }
}
