/**
 * A shop embeds the merchant: its own fastify app, its own routes and body parsers, the merchant's
 * payment plugin registered under a prefix and its back-office plugin (with its token) under
 * another. The lab's gateway and phone are real processes; the purchase runs through the shop's
 * app end to end.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BondCache, runPurchase } from "@setlab/mediator";
import {
  HttpGatewayClient,
  labMerchantConfig,
  Merchant,
  merchantAdminPlugin,
  merchantPlugin,
  SqliteRepository,
} from "@setlab/merchant-server";
import { nodeProvider } from "@setlab/protocol";
import { adminHeaders, httpRequest, LabPki, SET_PAYMENT } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { createOrder, fetchInitiation } from "./browser";
import { down } from "./commands/down";
import { up } from "./commands/up";
import { type LabState, pairingCodeOf } from "./labState";

let home: string;
let state: LabState;
let shop: FastifyInstance;
let shopUrl: string;
let repo: SqliteRepository;
const token = "b".repeat(43);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-embed-"));
  seedLabPki(path.join(home, "pki"));
  state = await up({ home });
  const p = nodeProvider();
  const config = await labMerchantConfig(p, LabPki.open(state.pki), { brands: ["Visa", "MasterCard"] });
  repo = new SqliteRepository(path.join(home, "shop.db"));
  const gatewaySet = `${state.parties.gateway.url.replace(/\/$/, "")}/set`;
  const merchant = new Merchant({
    p,
    repo,
    config,
    gateway: new HttpGatewayClient({ Visa: gatewaySet, MasterCard: gatewaySet }),
  });

  shop = Fastify();
  // The shop's own routes and its own parser for the SET media type, which the plugin's
  // encapsulated parser must not replace or be replaced by.
  shop.get("/", async () => ({ shop: "Sticker Shop" }));
  shop.addContentTypeParser(SET_PAYMENT, { parseAs: "string" }, (_req, body, done) => done(null, body));
  shop.post("/webhook", async (req) => ({ got: typeof req.body }));
  await shop.register(merchantPlugin, { merchant, prefix: "/pay", settleEveryMs: false });
  await shop.register(merchantAdminPlugin, { merchant, token, prefix: "/backoffice" });
  shopUrl = await shop.listen({ port: 0, host: "127.0.0.1" });
}, 120_000);

afterAll(async () => {
  await shop?.close();
  await repo?.close();
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

describe("the merchant plugin in a shop's own fastify app", () => {
  it("completes an approved purchase through the shop's app", async () => {
    const merchant = `${shopUrl}/pay`;
    const backOffice = { url: `${shopUrl}/backoffice`, token };
    const orderId = await createOrder(backOffice, { description: "1 x embedded sticker", brand: "Visa" });
    const initiation = await fetchInitiation(merchant, orderId);
    expect(initiation.setUrl).toBe(`${shopUrl}/pay/set`);
    const [host, port] = state.parties.phone.url.replace(/^tcp:\/\//, "").split(":");
    const outcome = await runPurchase({
      initiation,
      card: {
        host,
        port: Number(port),
        cardId: "visa-approve",
        pin: state.pin,
        pairingCode: pairingCodeOf(state),
        bonds: new BondCache(),
      },
    });
    expect(outcome.reason ?? "").toBe("");
    expect(outcome.outcome).toBe("approved");
    const order = JSON.parse(
      (
        await httpRequest(`${backOffice.url}/orders/${orderId}`, { headers: adminHeaders(token) })
      ).body.toString(),
    );
    expect(order.state).toBe("authorized");
    const status = JSON.parse((await httpRequest(`${merchant}/orders/${orderId}/status`)).body.toString());
    expect(status).toMatchObject({ state: "authorized", completionCode: "authorizationPerformed" });
  }, 60_000);

  it("leaves the shop's own routes and parsers alone", async () => {
    expect(JSON.parse((await httpRequest(`${shopUrl}/`)).body.toString())).toEqual({ shop: "Sticker Shop" });
    const res = await httpRequest(`${shopUrl}/webhook`, {
      method: "POST",
      headers: { "content-type": SET_PAYMENT },
      body: "text",
    });
    expect(JSON.parse(res.body.toString())).toEqual({ got: "string" });
    // Outside its prefix the plugin answers nothing.
    expect((await httpRequest(`${shopUrl}/set`, { method: "POST" })).status).toBe(404);
    expect((await httpRequest(`${shopUrl}/pay/health`)).status).toBe(200);
    // The back office refuses without its token; the payment prefix has no back-office routes.
    expect((await httpRequest(`${shopUrl}/backoffice/orders/1`)).status).toBe(401);
    expect((await httpRequest(`${shopUrl}/pay/orders/1`)).status).toBe(404);
  });
});
