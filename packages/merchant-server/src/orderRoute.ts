/**
 * A GET route on one order, the same way on the payment and the admin listener: `:id` must be a
 * positive decimal integer and name an order `find` knows, else 404 `{error: "no such order"}`
 * (a malformed id and an unknown one are told apart by nobody); `answer` says what to send.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The `:id` of an order route: a positive decimal integer, else undefined (404). */
export function orderId(req: FastifyRequest): number | undefined {
  const raw = (req.params as { id?: string }).id ?? "";
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : undefined;
}

export function getOrderRoute<T>(
  app: FastifyInstance,
  path: `/orders/:id${string}`,
  find: (id: number) => Promise<T | undefined>,
  answer: (found: T, reply: FastifyReply) => unknown = (found) => found,
): void {
  app.get(path, async (req, reply) => {
    const id = orderId(req);
    const found = id === undefined ? undefined : await find(id);
    if (found === undefined || found === null) {
      reply.code(404);
      return { error: "no such order" };
    }
    return answer(found, reply);
  });
}
