/**
 * The shop's pages: product list, cart, checkout (with the purchase-start marker) and the order
 * result. Pure functions from data to HTML; the routes (./webShopPlugin.ts) fetch the data.
 */
import { formatCurrencyAmount } from "@setlab/protocol";
import { SET_PAYMENT_INITIATION } from "@setlab/runtime";
import { amountOf, type Catalogue, type Product } from "./catalogue";
import { type Html, html, page } from "./html";

export interface CartLine {
  readonly product: Product;
  readonly quantity: number;
}

const price = (c: Catalogue, minor: number) => formatCurrencyAmount(amountOf(c, minor));

export function productListPage(c: Catalogue, cartCount: number): string {
  const items = c.products.map(
    (p) => html`<div class="product" id="product-${p.id}"><h2>${p.name}</h2><p>${p.blurb}</p>
<p>${price(c, p.price)}</p>
<form method="post" action="/cart"><input type="hidden" name="product" value="${p.id}">
<label>Quantity <input type="number" name="quantity" value="1" min="1" max="99"></label>
<button type="submit">Add to cart</button></form></div>`,
  );
  return page("Products", html`${items}`, cartCount);
}

export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
}

export function cartPage(c: Catalogue, lines: readonly CartLine[], profiles: readonly string[]): string {
  const count = lines.reduce((n, l) => n + l.quantity, 0);
  if (lines.length === 0)
    return page("Your cart", html`<p>Your cart is empty. <a href="/">See the products</a>.</p>`, 0);
  const rows = lines.map(
    (
      l,
    ) => html`<tr><td>${l.product.name}</td><td>${l.quantity}</td><td>${price(c, l.product.price * l.quantity)}</td>
<td><form method="post" action="/cart/remove"><input type="hidden" name="product" value="${l.product.id}"><button type="submit">Remove</button></form></td></tr>`,
  );
  // More than one profile: the buyer picks; one: it is simply used.
  const choice: Html =
    profiles.length > 1
      ? html`<label>Payment protocol <select name="profile">${profiles.map((p) => html`<option value="${p}">${profileLabel(p)}</option>`)}</select></label> `
      : html`<input type="hidden" name="profile" value="${profiles[0]}">`;
  return page(
    "Your cart",
    html`<table><tr><th>Product</th><th>Quantity</th><th>Price</th><th></th></tr>${rows}
<tr><th>Total</th><th></th><th id="cart-total">${price(c, cartTotal(lines))}</th><th></th></tr></table>
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
<p>Total: <strong id="order-amount">${formatCurrencyAmount(v.amount)}</strong></p>
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
};

export function resultPage(o: OrderStatusView, checkoutPath: string | undefined): string {
  const waiting = o.state === "created" || o.state === "initiated";
  return page(
    `Order ${o.id}`,
    html`<p id="order-message">${stateTexts[o.state] ?? "Unknown state."}</p>
<table><tr><th>Amount</th><td id="order-amount">${formatCurrencyAmount(o.amount)}</td></tr>
<tr><th>State</th><td class="state" id="order-state">${o.state}</td></tr>
<tr><th>Completion code</th><td id="order-completion">${o.completionCode ?? "-"}</td></tr></table>
${waiting && checkoutPath ? html`<p><a href="${checkoutPath}">Back to the payment</a></p>` : ""}`,
  );
}
