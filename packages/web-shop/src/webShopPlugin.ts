/**
 * The shop's own routes (product list, cart, checkout, order result, inquiry) as a fastify plugin. The
 * payment side is not here: `buildWebShop` (./webShop.ts) registers the merchant SDK's
 * `merchantPlugin` beside these routes, as any outside shop would, and the checkout page points
 * the buyer's SET wallet at that plugin's initiation route.
 *
 * Forms are plain `application/x-www-form-urlencoded` POSTs answered with 303 redirects, so the
 * shop works without any script. The visit's cookie is HttpOnly and SameSite=Lax: another site
 * cannot post to the cart or check out in the buyer's name.
 */

import { type Merchant, OrderInputError } from "@setlab/merchant-server";
import type { InitiationProfile } from "@setlab/protocol";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { addToCart, type BuyerSession, BuyerSessions, maxQuantity } from "./buyerSessions";
import { amountOf, type Catalogue, checkCatalogue, stickerCatalogue } from "./catalogue";
import { escapeHtml } from "./html";
import {
  type CartLine,
  cartPage,
  cartTerms,
  cartTotal,
  checkoutPage,
  inquiryPage,
  productListPage,
  profilesFor,
  resultPage,
} from "./pages";

export const sessionCookie = "setlab_shop";

export interface WebShopPluginOptions {
  readonly merchant: Merchant;
  readonly catalogue?: Catalogue;
  /** Where the merchant plugin is registered (default "/pay"): the marker and result pages use it. */
  readonly payPrefix?: string;
  /** The purchase profiles the buyer may choose at checkout (default ["set"]). */
  readonly profiles?: readonly InitiationProfile[];
  readonly sessions?: BuyerSessions;
}

/** The merchant's returnUrl (`<prefix>/orders/ID/done`) is the shop's result page. */
export const resultPath = (payPrefix: string, id: number) => `${payPrefix}/orders/${id}/done`;

/** The page whose marker has the buyer's card ask the shop about the order (InqReq). */
export const inquiryPath = (id: number) => `/orders/${id}/inquire`;

const formType = "application/x-www-form-urlencoded";

function orderIdParam(req: FastifyRequest): number | undefined {
  const raw = (req.params as { id?: string }).id ?? "";
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : undefined;
}

function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

export const webShopPlugin: FastifyPluginAsync<WebShopPluginOptions> = async (app, options) => {
  const { merchant } = options;
  const catalogue = checkCatalogue(options.catalogue ?? stickerCatalogue);
  const payPrefix = (options.payPrefix ?? "/pay").replace(/\/+$/, "");
  const profiles = options.profiles ?? ["set"];
  if (profiles.length === 0) throw new Error("the shop must offer at least one profile");
  const sessions = options.sessions ?? new BuyerSessions();

  app.addContentTypeParser(formType, { parseAs: "string", bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const visit = (req: FastifyRequest, reply: FastifyReply): BuyerSession => {
    const { id, session } = sessions.open(cookieValue(req, sessionCookie));
    reply.header("set-cookie", `${sessionCookie}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return session;
  };
  const form = (req: FastifyRequest): Record<string, string> =>
    req.body !== null && typeof req.body === "object" ? (req.body as Record<string, string>) : {};
  const lines = (s: BuyerSession): CartLine[] =>
    [...s.cart].flatMap(([id, quantity]) => {
      const product = catalogue.products.find((p) => p.id === id);
      return product ? [{ product, quantity }] : [];
    });
  const itemCount = (s: BuyerSession) => [...s.cart.values()].reduce((n, q) => n + q, 0);
  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .header("content-type", "text/html; charset=utf-8")
      // The shop runs no script of its own; a page that cannot run one cannot be made to.
      .header(
        "content-security-policy",
        "script-src 'none'; object-src 'self'; base-uri 'none'; form-action 'self'",
      )
      .header("cache-control", "no-store")
      .send(body);
  const notFound = (reply: FastifyReply, what: string) =>
    html(reply, `<!doctype html><title>Not found</title><p>${what}</p>\n`, 404);

  app.get("/", async (req, reply) => html(reply, productListPage(catalogue, itemCount(visit(req, reply)))));

  app.get("/cart", async (req, reply) =>
    html(reply, cartPage(catalogue, lines(visit(req, reply)), profiles)),
  );

  app.post("/cart", async (req, reply) => {
    const session = visit(req, reply);
    const { product, quantity = "1" } = form(req);
    const known = catalogue.products.some((p) => p.id === product);
    const n = /^[0-9]{1,2}$/.test(quantity) ? Number(quantity) : 0;
    if (!known || n < 1 || n > maxQuantity)
      return html(reply, "<!doctype html><p>No such product or quantity.</p>\n", 400);
    addToCart(session, product, n);
    return reply.redirect("/cart", 303);
  });

  app.post("/cart/remove", async (req, reply) => {
    visit(req, reply).cart.delete(form(req).product ?? "");
    return reply.redirect("/cart", 303);
  });

  app.post("/checkout", async (req, reply) => {
    const session = visit(req, reply);
    const cart = lines(session);
    if (cart.length === 0) return reply.redirect("/cart", 303);
    const terms = cartTerms(cart);
    if (terms === "mixed")
      return html(
        reply,
        "<!doctype html><p>A subscription or instalment plan is checked out on its own.</p>\n",
        400,
      );
    const offered = profilesFor(cart, profiles);
    const profile = (form(req).profile ?? offered[0]) as InitiationProfile;
    if (!offered.includes(profile))
      return html(reply, "<!doctype html><p>This shop does not offer that payment protocol.</p>\n", 400);
    // Through the SDK's checked entry, as the back office's POST /orders: a catalogue whose cart
    // makes an order SET cannot carry (too long a description) is refused here, not at payment.
    let order: Awaited<ReturnType<Merchant["createOrder"]>>;
    try {
      order = await merchant.createOrderFromJson({
        description: cart.map((l) => `${l.quantity} x ${l.product.name}`).join(", "),
        ...amountOf(catalogue, cartTotal(cart)),
        profile,
        ...(terms ? { terms } : {}),
      });
    } catch (e) {
      if (e instanceof OrderInputError)
        return html(
          reply,
          `<!doctype html><p>This cart cannot be ordered: ${escapeHtml(e.message)}.</p>\n`,
          400,
        );
      throw e;
    }
    session.orders.add(order.id);
    session.cart.clear();
    return reply.redirect(`/checkout/${order.id}`, 303);
  });

  // Only the visit that checked the order out is offered its payment.
  app.get("/checkout/:id", async (req, reply) => {
    const session = visit(req, reply);
    const id = orderIdParam(req);
    const order = id !== undefined && session.orders.has(id) ? await merchant.order(id) : undefined;
    if (!order) return notFound(reply, "No such order in this visit.");
    return html(
      reply,
      checkoutPage({
        orderId: order.id,
        description: order.description,
        amount: order.purchAmt,
        initiationPath: `${payPrefix}/orders/${order.id}/initiation`,
        resultPath: resultPath(payPrefix, order.id),
        ...(order.terms ? { terms: order.terms } : {}),
      }),
    );
  });

  // Anyone with the order's number may have their card ask: the card asks only about a purchase it
  // made, and the shop answers only the card that paid (docs/checks.md, "Inquiry").
  app.get("/orders/:id/inquire", async (req, reply) => {
    visit(req, reply);
    const id = orderIdParam(req);
    const order = id === undefined ? undefined : await merchant.order(id);
    if (!order?.xid) return notFound(reply, "No order your card could ask about.");
    return html(
      reply,
      inquiryPage({
        orderId: order.id,
        description: order.description,
        amount: order.purchAmt,
        state: order.state,
        initiationPath: `${payPrefix}/orders/${order.id}/initiation`,
        xid: order.xid,
        resultPath: resultPath(payPrefix, order.id),
      }),
    );
  });

  // The merchant's stored state, as its payment plugin's status route tells any buyer.
  app.get(`${payPrefix}/orders/:id/done`, async (req, reply) => {
    const session = visit(req, reply);
    const id = orderIdParam(req);
    const status = id === undefined ? undefined : await merchant.orderStatus(id);
    if (!status) return notFound(reply, "No such order.");
    // An XID means the buyer's card started paying: from then on it can ask about the purchase.
    const xid = (await merchant.order(status.id))?.xid;
    return html(
      reply,
      resultPage(
        {
          id: status.id,
          state: status.state,
          amount: { currency: status.currency, amount: status.amount, amtExp10: status.amtExp10 },
          completionCode: status.completionCode,
        },
        session.orders.has(status.id) ? `/checkout/${status.id}` : undefined,
        xid ? inquiryPath(status.id) : undefined,
      ),
    );
  });
};
