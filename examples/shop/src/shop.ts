/**
 * The example shop: a catalogue, a checkout that creates the SET order (idempotent per cart), the
 * checkout page carrying the purchase-start marker, a result page, and fulfilment driven by the
 * merchant's events, heard twice over: in-process, and as verified webhooks, the capture of a
 * shipped cart, and refunds of returns.
 *
 * Environment: SETLAB_PKI (the lab PKI directory), SETLAB_GATEWAY (the lab gateway's URL), PORT,
 * WEBHOOK_SECRET (at least 32 characters). Every event is printed as one JSON line on stdout.
 */
import { randomBytes } from "node:crypto";
import {
  CapRevOrCredInputError,
  CaptureInputError,
  createMerchant,
  merchantPlugin,
  type OrderEvent,
  OrderStateError,
} from "@setlab/merchant-server";
import Fastify from "fastify";
import { currency, products } from "./catalogue.js";
import { startWebhookReceiver } from "./webhookReceiver.js";

const secret = process.env.WEBHOOK_SECRET ?? randomBytes(32).toString("hex");
const print = (via: string, e: OrderEvent) =>
  console.log(
    JSON.stringify({
      via,
      id: e.id,
      type: e.type,
      reference: e.order.reference,
      state: e.order.state,
      ...(e.refundedAmount ? { refunded: e.refundedAmount.amount } : {}),
    }),
  );

const shipped = new Set<string>();
const orderOfCart = new Map<string, number>();
const receiver = await startWebhookReceiver(secret, (e) => {
  print("webhook", e);
  if (e.type === "authorized" && e.order.reference) shipped.add(e.order.reference);
});

const merchant = await createMerchant({
  pki: process.env.SETLAB_PKI ?? ".setlab/pki",
  db: process.env.SHOP_DB ?? "shop.db",
  gateways: {
    Visa: process.env.SETLAB_GATEWAY ?? "http://127.0.0.1:8402",
    MasterCard: process.env.SETLAB_GATEWAY ?? "http://127.0.0.1:8402",
  },
  webhook: { url: receiver.url, secret },
  testMode: true,
});
merchant.on("*", (e) => print("listener", e));

const app = Fastify();
await app.register(merchantPlugin, { merchant, prefix: "/pay" });

app.get("/products", async () => products);

interface CheckoutBody {
  readonly cart: string;
  readonly items: readonly { readonly product: string; readonly quantity: number }[];
}

app.post<{ Body: CheckoutBody }>("/checkout", async (req, reply) => {
  const { cart, items } = req.body;
  let amount = 0;
  const lines: string[] = [];
  for (const item of items) {
    const product = products.find((p) => p.id === item.product);
    if (!product || !Number.isInteger(item.quantity) || item.quantity < 1)
      return reply.code(400).send({ error: `no such item: ${item.product}` });
    amount += product.price * item.quantity;
    lines.push(`${item.quantity} x ${product.name}`);
  }
  const order = await merchant.createOrder(
    {
      description: lines.join(", "),
      amount,
      currency,
      reference: cart,
      metadata: { items: String(items.length) },
    },
    { idempotencyKey: `cart-${cart}` },
  );
  orderOfCart.set(cart, order.id);
  return {
    orderId: order.id,
    page: `/checkout/${order.id}`,
    initiation: `/pay/orders/${order.id}/initiation`,
  };
});

// The checkout page: the hidden object is the purchase-start marker the buyer's extension finds.
app.get<{ Params: { id: string } }>("/checkout/:id", async (req, reply) => {
  const order = await merchant.order(Number(req.params.id));
  if (!order) return reply.code(404).send();
  reply.type("text/html");
  return `<!doctype html><title>Pay</title><p>${order.description}: ${order.purchAmt.amount} JPY</p>
<object type="application/set-payment-initiation" data="/pay/orders/${order.id}/initiation" hidden></object>`;
});

app.get<{ Params: { cart: string } }>("/shipments/:cart", async (req) => ({
  cart: req.params.cart,
  shipped: shipped.has(req.params.cart),
}));

// The warehouse sends the parcel, then the shop captures: the buyer pays for goods on their way.
// The cart is the idempotency key: the warehouse may call again, the money moves once.
app.post<{ Params: { cart: string } }>("/shipments/:cart/capture", async (req, reply) => {
  const id = orderOfCart.get(req.params.cart);
  if (id === undefined) return reply.code(404).send({ error: "no such cart" });
  try {
    const order = await merchant.capture(id, { idempotencyKey: `ship-${req.params.cart}` });
    return { cart: req.params.cart, state: order.state };
  } catch (e) {
    if (e instanceof OrderStateError || e instanceof CaptureInputError)
      return reply.code(409).send({ error: e.message });
    throw e;
  }
});

// A return: the shop refunds all of the cart's payment, or `amount` yen of it, once per return id.
app.post<{ Params: { cart: string }; Body: { returnId: string; amount?: number } }>(
  "/returns/:cart",
  async (req, reply) => {
    const id = orderOfCart.get(req.params.cart);
    if (id === undefined) return reply.code(404).send({ error: "no such cart" });
    const { returnId, amount } = req.body;
    try {
      const order = await merchant.refund(id, {
        idempotencyKey: `return-${returnId}`,
        ...(amount === undefined ? {} : { amount: { currency, amount, amtExp10: 0 } }),
      });
      return { cart: req.params.cart, state: order.state };
    } catch (e) {
      if (e instanceof OrderStateError || e instanceof CapRevOrCredInputError)
        return reply.code(409).send({ error: e.message });
      throw e;
    }
  },
);

app.addHook("onClose", async () => {
  await receiver.app.close();
  await merchant.close();
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void app.close());
console.log(`shop on ${await app.listen({ port: Number(process.env.PORT ?? 8080), host: "127.0.0.1" })}`);
