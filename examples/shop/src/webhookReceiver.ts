/**
 * Where the merchant's webhooks arrive: a separate small app (as a shop's fulfilment service
 * would be), verifying each delivery on its raw body before acting, and dropping repeats by id.
 */

import { type OrderEvent, verifyWebhook, WebhookVerificationError } from "@setlab/merchant-server";
import Fastify, { type FastifyInstance } from "fastify";

export async function startWebhookReceiver(
  secret: string,
  onEvent: (event: OrderEvent) => void,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  const seen = new Set<string>();
  // The signature covers the bytes as sent: keep them, do not parse and re-serialise.
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.post("/webhooks/setlab", async (req, reply) => {
    try {
      const event = verifyWebhook({
        body: req.body as Buffer,
        signature: req.headers["setlab-signature"],
        secret,
      });
      if (!seen.has(event.id)) {
        seen.add(event.id);
        onEvent(event);
      }
      return reply.code(204).send();
    } catch (e) {
      if (e instanceof WebhookVerificationError) return reply.code(400).send({ error: e.code });
      throw e;
    }
  });
  const origin = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, url: `${origin}/webhooks/setlab` };
}
