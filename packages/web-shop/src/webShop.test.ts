/**
 * The shop's pages through fastify's inject, with the real merchant core (a test PKI, an
 * in-memory store) behind its payment plugin: cart rules, checkout creating the order, the marker
 * on the checkout page naming the plugin's initiation route, and the result page reading the
 * stored state. Paying runs in packages/lab's browser e2e test.
 */
import { HttpGatewayClient, Merchant, SqliteRepository } from "@setlab/merchant-server";
import { testMerchantConfig } from "@setlab/merchant-server/testing";
import { nodeProvider, readInitiation } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { httpRequest } from "@setlab/runtime";
import type { FastifyInstance } from "fastify";
import { BuyerSessions } from "./buyerSessions";
import { type Catalogue, checkCatalogue } from "./catalogue";
import { buildWebShop } from "./webShop";

const p = nodeProvider();
let pki: TestPki;
let merchant: Merchant;
let repo: SqliteRepository;
let app: FastifyInstance;
let base: string;

/** One request over real HTTP (jest cannot load fastify's inject here). */
async function inject(r: {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  payload?: string;
}): Promise<{ statusCode: number; headers: Record<string, string | undefined>; body: string }> {
  const res = await httpRequest(`${base}${r.url}`, {
    method: r.method,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.payload !== undefined ? { body: r.payload } : {}),
  });
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  return { statusCode: res.status, headers, body: res.body.toString("utf8") };
}

const catalogue: Catalogue = {
  currency: 392,
  products: [
    { id: "mug", name: "Gateway mug", blurb: "Opens envelopes.", price: 1200 },
    { id: "tag", name: "<script>alert(1)</script> tag", blurb: "Escaped & safe.", price: 5 },
    {
      id: "club",
      name: "Tea club",
      blurb: "A box every 30 days.",
      price: 700,
      terms: { recurringDays: 30, recurringExpiry: "2099-12-31" },
    },
  ],
};

beforeAll(async () => {
  pki = await createTestPki(p);
  repo = new SqliteRepository(":memory:");
  merchant = new Merchant({
    p,
    repo,
    config: testMerchantConfig(pki),
    // Never reached: these tests pay nothing.
    gateway: new HttpGatewayClient({ Visa: "http://127.0.0.1:65535/set" }),
  });
  app = buildWebShop({
    merchant,
    catalogue,
    profiles: ["set", "hardened"],
    publicUrl: "http://shop.example",
    settleEveryMs: false,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
}, 60_000);

afterAll(async () => {
  await app.close();
  await repo.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A buyer with a cookie jar of one cookie. */
function buyer() {
  let cookie: string | undefined;
  return async (method: "GET" | "POST", url: string, fields?: Record<string, string>) => {
    const res = await inject({
      method,
      url,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(fields ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(fields ? { payload: form(fields) } : {}),
    });
    const set = res.headers["set-cookie"];
    if (typeof set === "string") cookie = set.split(";")[0];
    return res;
  };
}

describe("the reference web shop", () => {
  it("lists the products, escaped, with a cart form each, and gives the visit an HttpOnly SameSite cookie", async () => {
    const res = await inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toContain("script-src 'none'");
    expect(res.headers["set-cookie"]).toMatch(
      /^setlab_shop=[A-Za-z0-9_-]{24}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(res.body).toContain("Gateway mug");
    expect(res.body).toContain("JPY 1200");
    expect(res.body).toContain('<input type="hidden" name="product" value="mug">');
    expect(res.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt; tag");
    expect(res.body).not.toContain("<script>");
  });

  it("keeps a cart per visit: add, cap at 99, remove", async () => {
    const go = buyer();
    await go("GET", "/");
    const added = await go("POST", "/cart", { product: "mug", quantity: "2" });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe("/cart");
    await go("POST", "/cart", { product: "tag" });
    let cart = (await go("GET", "/cart")).body;
    expect(cart).toContain('<th id="cart-total">JPY 2405</th>');
    expect(cart).toContain("Cart (3)");
    await go("POST", "/cart", { product: "mug", quantity: "99" });
    expect((await go("GET", "/cart")).body).toContain("JPY 118805");
    await go("POST", "/cart/remove", { product: "mug" });
    cart = (await go("GET", "/cart")).body;
    expect(cart).toContain('<th id="cart-total">JPY 5</th>');
    // Another visit has its own (empty) cart.
    expect((await inject({ method: "GET", url: "/cart" })).body).toContain("Your cart is empty");
  });

  it.each([
    ["an unknown product", { product: "nope" }],
    ["quantity 0", { product: "mug", quantity: "0" }],
    ["quantity 100", { product: "mug", quantity: "100" }],
    ["a quantity that is not a number", { product: "mug", quantity: "1e1" }],
  ])("refuses to add %s (400)", async (_what, fields) => {
    const go = buyer();
    expect((await go("POST", "/cart", fields)).statusCode).toBe(400);
    expect((await go("GET", "/cart")).body).toContain("Your cart is empty");
  });

  it("refuses a form body over 4 KiB (413)", async () => {
    const res = await inject({
      method: "POST",
      url: "/cart",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: form({ product: "x".repeat(5000) }),
    });
    expect(res.statusCode).toBe(413);
  });

  it("checks out: the order is stored, the checkout page carries the marker at the plugin's initiation route", async () => {
    const go = buyer();
    await go("POST", "/cart", { product: "mug", quantity: "2" });
    const res = await go("POST", "/checkout", { profile: "hardened" });
    expect(res.statusCode).toBe(303);
    const id = Number(/^\/checkout\/([0-9]+)$/.exec(String(res.headers.location))?.[1]);
    const order = await merchant.order(id);
    expect(order).toMatchObject({
      description: "2 x Gateway mug",
      purchAmt: { currency: 392, amount: 2400, amtExp10: 0 },
      profile: "hardened",
      state: "created",
    });
    const page = (await go("GET", `/checkout/${id}`)).body;
    const markers = page.match(/<object[^>]*>/g) ?? [];
    expect(markers).toEqual([
      `<object id="set-payment-initiation" type="application/set-payment-initiation" data="/pay/orders/${id}/initiation" hidden>`,
    ]);
    // The marker's data is the embedded merchant plugin's route, and the object it serves returns
    // the buyer to this shop's result page.
    const initiation = await inject({ method: "GET", url: `/pay/orders/${id}/initiation` });
    expect(initiation.headers["content-type"]).toBe("application/set-payment-initiation");
    expect(readInitiation(initiation.body)).toMatchObject({
      setUrl: "http://shop.example/pay/set",
      returnUrl: `http://shop.example/pay/orders/${id}/done`,
      profile: "hardened",
      purchAmt: { currency: 392, amount: 2400, amtExp10: 0 },
    });
    // The cart is empty again.
    expect((await go("GET", "/cart")).body).toContain("Your cart is empty");
  });

  it("shows a checkout page only to the visit that checked the order out", async () => {
    const go = buyer();
    await go("POST", "/cart", { product: "tag" });
    const id = String((await go("POST", "/checkout", {})).headers.location)
      .split("/")
      .pop();
    expect((await go("GET", `/checkout/${id}`)).statusCode).toBe(200);
    expect((await inject({ method: "GET", url: `/checkout/${id}` })).statusCode).toBe(404);
    expect((await go("GET", "/checkout/0")).statusCode).toBe(404);
    expect((await go("GET", "/checkout/abc")).statusCode).toBe(404);
  });

  it("checks out nothing from an empty cart, nor with a profile it does not offer", async () => {
    const go = buyer();
    const empty = await go("POST", "/checkout", {});
    expect(empty.statusCode).toBe(303);
    expect(empty.headers.location).toBe("/cart");
    await go("POST", "/cart", { product: "tag" });
    expect((await go("POST", "/checkout", { profile: "embodiment-9" })).statusCode).toBe(400);
    expect((await go("GET", "/cart")).body).toContain('<th id="cart-total">JPY 5</th>');
  });

  it("refuses to check out a cart whose order SET cannot carry (a description over 4 KiB)", async () => {
    const long: Catalogue = {
      currency: 392,
      products: [{ id: "long", name: "x".repeat(5000), blurb: "", price: 1 }],
    };
    const shop = buildWebShop({ merchant, catalogue: long, settleEveryMs: false });
    const url = await shop.listen({ port: 0, host: "127.0.0.1" });
    try {
      const headers = { "content-type": "application/x-www-form-urlencoded" };
      const added = await httpRequest(`${url}/cart`, {
        method: "POST",
        headers,
        body: form({ product: "long" }),
      });
      const cookie = String(added.headers["set-cookie"]).split(";")[0];
      const res = await httpRequest(`${url}/checkout`, {
        method: "POST",
        headers: { ...headers, cookie },
        body: "",
      });
      expect(res.status).toBe(400);
      expect(res.body.toString()).toContain("description must be at most 4096 bytes");
    } finally {
      await shop.close();
    }
  });

  it("shows the merchant's stored order state on the result page", async () => {
    const go = buyer();
    await go("POST", "/cart", { product: "tag" });
    const id = String((await go("POST", "/checkout", {})).headers.location)
      .split("/")
      .pop();
    const own = (await go("GET", `/pay/orders/${id}/done`)).body;
    expect(own).toContain('<td class="state" id="order-state">created</td>');
    expect(own).toContain("Waiting for your payment.");
    expect(own).toContain(`<a href="/checkout/${id}">Back to the payment</a>`);
    // Anyone may read the state (as the plugin's status route tells it), without the way back.
    const other = (await inject({ method: "GET", url: `/pay/orders/${id}/done` })).body;
    expect(other).toContain('id="order-state">created<');
    expect(other).not.toContain("Back to the payment");
    expect((await inject({ method: "GET", url: "/pay/orders/999999/done" })).statusCode).toBe(404);
    expect((await inject({ method: "GET", url: "/pay/orders/x/done" })).statusCode).toBe(404);
    // No card has started paying it (no XID): there is nothing a card could ask about yet.
    expect(own).not.toContain("order-inquiry-link");
    expect((await inject({ method: "GET", url: `/orders/${id}/inquire` })).statusCode).toBe(404);
    expect((await inject({ method: "GET", url: "/orders/999999/inquire" })).statusCode).toBe(404);
  });

  it("sells a subscription on its own: the cart, the order, its initiation object and the checkout page carry its terms", async () => {
    const go = buyer();
    expect((await go("GET", "/")).body).toContain(
      '<span class="terms">every 30 days until 2099-12-31</span>',
    );
    await go("POST", "/cart", { product: "club", quantity: "2" });
    expect((await go("GET", "/cart")).body).toContain(
      '<th id="cart-total">JPY 1400 <span class="terms">every 30 days until 2099-12-31</span></th>',
    );
    const res = await go("POST", "/checkout", { profile: "set" });
    const id = Number(/^\/checkout\/([0-9]+)$/.exec(String(res.headers.location))?.[1]);
    expect(await merchant.order(id)).toMatchObject({
      description: "2 x Tea club",
      purchAmt: { currency: 392, amount: 1400, amtExp10: 0 },
      terms: { recurringDays: 30, recurringExpiry: "2099-12-31" },
    });
    const initiation = await inject({ method: "GET", url: `/pay/orders/${id}/initiation` });
    expect(readInitiation(initiation.body).terms).toEqual({
      recurringDays: 30,
      recurringExpiry: "2099-12-31",
    });
    expect((await go("GET", `/checkout/${id}`)).body).toContain(
      '<span class="terms" id="order-terms">every 30 days until 2099-12-31</span>',
    );
  });

  it("checks out a subscription with other products in the cart not at all (400), and says why in the cart", async () => {
    const go = buyer();
    await go("POST", "/cart", { product: "club" });
    await go("POST", "/cart", { product: "mug" });
    const cart = (await go("GET", "/cart")).body;
    expect(cart).toContain('id="cart-mixed"');
    expect(cart).not.toContain('id="checkout"');
    const res = await go("POST", "/checkout", { profile: "set" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("checked out on its own");
    // Nothing was ordered: the cart is as it was.
    expect((await go("GET", "/cart")).body).toContain("Tea club");
  });
});

describe("the catalogue and the visits", () => {
  it.each<[string, Catalogue, RegExp]>([
    ["an unknown currency", { currency: 1, products: [] }, /ISO 4217/],
    [
      "a bad product id",
      { currency: 392, products: [{ id: "A B", name: "x", blurb: "", price: 1 }] },
      /product id/,
    ],
    [
      "a repeated id",
      {
        currency: 392,
        products: [
          { id: "a", name: "x", blurb: "", price: 1 },
          { id: "a", name: "y", blurb: "", price: 2 },
        ],
      },
      /repeated/,
    ],
    [
      "a price of 0",
      { currency: 392, products: [{ id: "a", name: "x", blurb: "", price: 0 }] },
      /positive integer/,
    ],
    [
      "a fractional price",
      { currency: 392, products: [{ id: "a", name: "x", blurb: "", price: 1.5 }] },
      /positive/,
    ],
    [
      "terms SET cannot carry",
      { currency: 392, products: [{ id: "a", name: "x", blurb: "", price: 1, terms: { installments: 1 } }] },
      /product "a" terms.installments must be an integer from 2 to 999/,
    ],
  ])("refuses a catalogue with %s", (_what, c, pattern) => {
    expect(() => checkCatalogue(c)).toThrow(pattern);
  });

  it("keeps at most its capacity of visits, dropping the least recently used", () => {
    const sessions = new BuyerSessions(2);
    const a = sessions.open(undefined);
    const b = sessions.open(undefined);
    sessions.open(a.id);
    sessions.open(undefined);
    expect(sessions.size).toBe(2);
    expect(sessions.open(a.id).id).toBe(a.id);
    expect(sessions.open(b.id).id).not.toBe(b.id);
  });
});
