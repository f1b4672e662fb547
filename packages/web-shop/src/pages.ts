/**
 * The shop's pages: product list, cart, checkout (with the purchase-start marker) and the order
 * result. Pure functions from data to HTML; the routes (./webShopPlugin.ts) fetch the data.
 */
import { formatCurrencyAmount, type InstallRecurTerms } from "@setlab/protocol";
import { SET_PAYMENT_INITIATION, SET_PAYMENT_INQUIRY } from "@setlab/runtime";
import { amountOf, type Catalogue, type Product, termsText } from "./catalogue";
import { type Html, html, page } from "./html";

export interface CartLine {
  readonly product: Product;
  readonly quantity: number;
}

const price = (c: Catalogue, minor: number) => formatCurrencyAmount(amountOf(c, minor));

export function productListPage(c: Catalogue, cartCount: number): string {
  const items = c.products.map(
    (p) => html`<div class="product" id="product-${p.id}"><h2>${p.name}</h2><p>${p.blurb}</p>
<p>${price(c, p.price)}${p.terms ? html` <span class="terms">${termsText(p.terms)}</span>` : ""}</p>
<form method="post" action="/cart"><input type="hidden" name="product" value="${p.id}">
<label>Quantity <input type="number" name="quantity" value="1" min="1" max="99"></label>
<button type="submit">Add to cart</button></form></div>`,
  );
  return page("Products", html`${items}`, cartCount);
}

export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
}

/**
 * The terms an order of this cart carries: none, a termed product's (bought alone, in any
 * quantity: each payment is the cart's total), or "mixed" when a termed product shares the cart
 * with anything else (one order has one set of terms, and the card signs them for its whole amount).
 */
export function cartTerms(lines: readonly CartLine[]): InstallRecurTerms | undefined | "mixed" {
  const termed = lines.filter((l) => l.product.terms !== undefined);
  if (termed.length === 0) return undefined;
  return lines.length === 1 ? termed[0]?.product.terms : "mixed";
}

/** The profiles that carry installment or recurring terms: SET's (the embodiments have no InstallRecurData). */
const termsProfiles = new Set(["set", "hardened"]);

/** The profiles a cart may be paid under: all offered, or only SET's for a cart with terms. */
export function profilesFor(lines: readonly CartLine[], profiles: readonly string[]): readonly string[] {
  return cartTerms(lines) === undefined ? profiles : profiles.filter((p) => termsProfiles.has(p));
}

export function cartPage(c: Catalogue, lines: readonly CartLine[], profiles: readonly string[]): string {
  const count = lines.reduce((n, l) => n + l.quantity, 0);
  if (lines.length === 0)
    return page("Your cart", html`<p>Your cart is empty. <a href="/">See the products</a>.</p>`, 0);
  const rows = lines.map(
    (
      l,
    ) => html`<tr><td>${l.product.name}${l.product.terms ? html`<br><span class="terms">${termsText(l.product.terms)}</span>` : ""}</td><td>${l.quantity}</td><td>${price(c, l.product.price * l.quantity)}</td>
<td><form method="post" action="/cart/remove"><input type="hidden" name="product" value="${l.product.id}"><button type="submit">Remove</button></form></td></tr>`,
  );
  const terms = cartTerms(lines);
  if (terms === "mixed")
    return page(
      "Your cart",
      html`<table><tr><th>Product</th><th>Quantity</th><th>Price</th><th></th></tr>${rows}</table>
<p id="cart-mixed">A subscription or instalment plan is checked out on its own: remove the other products, or the plan.</p>`,
      count,
    );
  const offered = profilesFor(lines, profiles);
  if (offered.length === 0)
    return page(
      "Your cart",
      html`<table><tr><th>Product</th><th>Quantity</th><th>Price</th><th></th></tr>${rows}</table>
<p id="cart-mixed">This shop cannot take payment terms with the payment protocols it offers.</p>`,
      count,
    );
  // More than one profile: the buyer picks; one: it is simply used.
  const choice: Html =
    offered.length > 1
      ? html`<label>Payment protocol <select name="profile">${offered.map((p) => html`<option value="${p}">${profileLabel(p)}</option>`)}</select></label> `
      : html`<input type="hidden" name="profile" value="${offered[0]}">`;
  return page(
    "Your cart",
    html`<table><tr><th>Product</th><th>Quantity</th><th>Price</th><th></th></tr>${rows}
<tr><th>Total</th><th></th><th id="cart-total">${price(c, cartTotal(lines))}${terms ? html` <span class="terms">${termsText(terms)}</span>` : ""}</th><th></th></tr></table>
<form method="post" action="/checkout">${choice}<button type="submit" id="checkout">Check out</button></form>`,
    count,
  );
}

const profileLabels: Record<string, string> = {
  set: "SET 1.0",
  hardened: "SET 1.0, hardened (binds the gateway into the signature)",
  "embodiment-1": "Card information to the shop (first embodiment)",
  "embodiment-2": "Confirm the order on this PC (second embodiment)",
};

export function profileLabel(profile: string): string {
  return profileLabels[profile] ?? profile;
}

export interface CheckoutView {
  readonly orderId: number;
  readonly description: string;
  readonly amount: { currency: number; amount: number; amtExp10: number };
  /** Path of the order's initiation object (served by the merchant plugin). */
  readonly initiationPath: string;
  readonly resultPath: string;
  /** The order's installment or recurring terms, which the card will show and sign. */
  readonly terms?: InstallRecurTerms;
}

/**
 * The checkout page. Its marker (docs/purchase-flow.md, "The purchase-start marker") is a hidden
 * `<object>` of type application/set-payment-initiation whose `data` is the initiation object's
 * path on this origin: the SET browser extension finds it and starts the mediator. `hidden`
 * keeps the browser from drawing a "plugin not supported" box; it never fetches the data itself.
 */
export function checkoutPage(v: CheckoutView): string {
  return page(
    `Pay for order ${v.orderId}`,
    html`<object id="set-payment-initiation" type="${SET_PAYMENT_INITIATION}" data="${v.initiationPath}" hidden></object>
<p>Order <strong>${v.orderId}</strong>: ${v.description}</p>
<p>Total: <strong id="order-amount">${formatCurrencyAmount(v.amount)}</strong>${v.terms ? html`, <span class="terms" id="order-terms">${termsText(v.terms)}</span>` : ""}</p>
<p class="note">Your SET wallet pays this order with the card on your phone. If nothing starts, the
SET browser extension is not installed or does not trust this shop.</p>
<p><a href="${v.resultPath}" id="order-result-link">See the order's state</a></p>`,
  );
}

export interface OrderStatusView {
  readonly id: number;
  readonly state: string;
  readonly amount: { currency: number; amount: number; amtExp10: number };
  readonly completionCode: string | null;
}

/** What each stored order state means to the buyer. */
const stateTexts: Record<string, string> = {
  created: "Waiting for your payment.",
  initiated: "Payment started: waiting for your card.",
  purchaseRequested: "Your payment is being processed.",
  authorizing: "Your card company is deciding.",
  authorized: "Paid. Thank you for your order.",
  partiallyAuthorized: "Your card company approved less than the total: we will contact you.",
  declined: "Your card company declined the payment. Nothing was charged.",
  authorizationFailed: "We could not reach your card company. Nothing was charged yet; we will retry.",
  reversed: "Your order was cancelled before payment was taken: the amount held on your card is released.",
  captured: "Paid. Thank you for your order.",
};

/**
 * The order page: the merchant's stored state. Once the buyer's card has started paying (the order
 * has an XID), a link to the inquiry page, where the card asks the shop itself.
 */
export function resultPage(
  o: OrderStatusView,
  checkoutPath: string | undefined,
  inquiryPath?: string,
): string {
  const waiting = o.state === "created" || o.state === "initiated";
  return page(
    `Order ${o.id}`,
    html`<p id="order-message">${stateTexts[o.state] ?? "Unknown state."}</p>
<table><tr><th>Amount</th><td id="order-amount">${formatCurrencyAmount(o.amount)}</td></tr>
<tr><th>State</th><td class="state" id="order-state">${o.state}</td></tr>
<tr><th>Completion code</th><td id="order-completion">${o.completionCode ?? "-"}</td></tr></table>
${waiting && checkoutPath ? html`<p><a href="${checkoutPath}">Back to the payment</a></p>` : ""}
${inquiryPath ? html`<p><a href="${inquiryPath}" id="order-inquiry-link">Ask your card how this order ended</a></p>` : ""}`,
  );
}

export interface InquiryView {
  readonly orderId: number;
  readonly description: string;
  readonly amount: { currency: number; amount: number; amtExp10: number };
  /** The merchant's stored state, shown beside what the card will verify. */
  readonly state: string;
  /** Path of the order's initiation object: the mediator reads the shop's SET address from it. */
  readonly initiationPath: string;
  /** The purchase's XID (hex), which names it to the card. */
  readonly xid: string;
  readonly resultPath: string;
}

/**
 * The inquiry page. Its marker (docs/purchase-flow.md, "The inquiry marker") is a hidden
 * `<object>` of type application/set-payment-inquiry naming the order's initiation object and, in
 * `data-xid`, the purchase: the SET extension starts the mediator, the card on the buyer's phone
 * asks the shop (InqReq) and checks its signed answer (InqRes). The card asks only about purchases
 * it made, and the shop answers only the card that paid: an XID is no secret.
 */
export function inquiryPage(v: InquiryView): string {
  return page(
    `Ask about order ${v.orderId}`,
    html`<object id="set-payment-inquiry" type="${SET_PAYMENT_INQUIRY}" data="${v.initiationPath}" data-xid="${v.xid}" hidden></object>
<p>Order <strong>${v.orderId}</strong>: ${v.description}</p>
<p>Total: <strong id="order-amount">${formatCurrencyAmount(v.amount)}</strong>. Our records say:
<span class="state" id="order-state">${v.state}</span>.</p>
<p class="note">Your SET wallet has the card on your phone ask us how this order ended, and checks our
signed answer: the wallet shows what we signed for your card.</p>
<p><a href="${v.resultPath}">Back to the order</a></p>`,
  );
}
