/**
 * The demo's browser part (`set-lab demo --browser`): the reference web shop on the running lab,
 * a fresh Chromium profile prepared by `browser-setup`, and one purchase made as a person makes it
 * (claim 3: the checkout page's marker starts the mediator through the SET extension). The pages
 * are saved as screenshots in HOME/screenshots.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrowserPurchase, buyInBrowser, launchWalletBrowser } from "../browserBuyer";
import type { LabState } from "../labState";
import type { Trace } from "../trace";
import { browserSetup } from "./browserSetup";
import { startShop } from "./shop";

export async function browserDemo(home: string, state: LabState, trace: Trace): Promise<BrowserPurchase> {
  const shop = await startShop({ home, port: 0 });
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
      trace.step(
        "buyer",
        "S1-S4 in Chromium: add a product, check out; the extension finds the marker and starts the mediator",
      );
      const screenshots = path.join(home, "screenshots");
      const r = await buyInBrowser(await context.newPage(), {
        shopUrl: shop.url,
        product: "dual-signature",
        profile: "hardened",
        cardId: "visa-approve",
        pin: state.pin,
        screenshots,
        name: "demo",
      });
      trace.fact("wallet panel", `${r.amount} for "${r.description}", profile ${r.profile}`);
      for (const line of r.progress) trace.fact("progress", line);
      trace.fact("outcome", r.outcome);
      trace.fact("result page", `order state ${r.orderState}`);
      trace.fact("screenshots", screenshots);
      return r;
    } finally {
      await context.close();
    }
  } finally {
    await shop.close();
  }
}
