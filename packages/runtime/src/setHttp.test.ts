import { MAX_SET_MESSAGE } from "@setlab/protocol";
import Fastify, { type FastifyInstance } from "fastify";
import {
  defaultSetBodyLimit,
  postSet,
  RUN_ID_HEADER,
  registerSetRoute,
  runIdOf,
  SET_PAYMENT,
  SET_PAYMENT_EMBODIMENT,
  TransportError,
} from "./setHttp";

let app: FastifyInstance;
let url: string;
let seenRunId: string | undefined;

beforeAll(async () => {
  app = Fastify();
  registerSetRoute(
    app,
    "/set",
    async (body, req) => {
      seenRunId = runIdOf(req);
      return new Uint8Array([...body].reverse());
    },
    { bodyLimit: 1024 },
  );
  registerSetRoute(app, "/set/embodiment", async (body) => body, { contentType: SET_PAYMENT_EMBODIMENT });
  // A peer that answers an embodiment message with a SET media type.
  app.post("/answers-set", async (_req, reply) => {
    reply.header("content-type", SET_PAYMENT);
    return Buffer.of(7);
  });
  app.post("/slow", async () => new Promise((r) => setTimeout(() => r("late"), 400)));
  url = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(() => app.close());

describe("SET over HTTP", () => {
  it("posts DER and reads the SET answer, carrying the run id", async () => {
    const out = await postSet(`${url}/set`, new Uint8Array([1, 2, 3]), { runId: "run-1" });
    expect([...out]).toEqual([3, 2, 1]);
    expect(seenRunId).toBe("run-1");
  });

  it("an embodiment message goes with its own media type and is answered with it; a SET answer is not its answer", async () => {
    const out = await postSet(`${url}/set/embodiment`, Uint8Array.of(7), {
      contentType: SET_PAYMENT_EMBODIMENT,
    });
    expect([...out]).toEqual([7]);
    // Each route takes its own type only, though both are parsed in the same context.
    await expect(
      postSet(`${url}/set`, Uint8Array.of(7), { contentType: SET_PAYMENT_EMBODIMENT }),
    ).rejects.toMatchObject({ kind: "httpStatus", status: 415 });
    await expect(
      postSet(`${url}/answers-set`, Uint8Array.of(7), { contentType: SET_PAYMENT_EMBODIMENT }),
    ).rejects.toMatchObject({ kind: "contentType" });
    const sent = await fetch(`${url}/set/embodiment`, {
      method: "POST",
      headers: { "content-type": SET_PAYMENT },
      body: Uint8Array.of(7),
    });
    expect(sent.status).toBe(415);
  });

  it("answers 415 to another content type and 413 to a body over the limit", async () => {
    const wrongType = await fetch(`${url}/set`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(wrongType.status).toBe(415);
    const big = await fetch(`${url}/set`, {
      method: "POST",
      headers: { "content-type": SET_PAYMENT },
      body: new Uint8Array(2048),
    });
    expect(big.status).toBe(413);
  });

  it("turns HTTP errors, timeouts and dead ports into TransportError", async () => {
    await expect(postSet(`${url}/nothing`, new Uint8Array([1]))).rejects.toMatchObject({
      kind: "httpStatus",
      status: 404,
    });
    await expect(postSet(`${url}/slow`, new Uint8Array([1]), { timeoutMs: 100 })).rejects.toMatchObject({
      kind: "timeout",
    });
    await expect(postSet("http://127.0.0.1:1/set", new Uint8Array([1]))).rejects.toBeInstanceOf(
      TransportError,
    );
  });

  it("ignores a malformed run id", async () => {
    await fetch(`${url}/set`, {
      method: "POST",
      headers: { "content-type": SET_PAYMENT, [RUN_ID_HEADER]: "bad id with spaces" },
      body: new Uint8Array([1]),
    });
    expect(seenRunId).toBeUndefined();
  });
});

describe("registerSetRoute inside an encapsulated plugin", () => {
  it("parses SET bodies as bytes in the plugin and leaves the enclosing app's parser to its routes", async () => {
    const shop = Fastify();
    shop.addContentTypeParser(SET_PAYMENT, { parseAs: "string" }, (_req, body, done) =>
      done(null, `shop:${body}`),
    );
    shop.post("/own", async (req) => ({ body: req.body }));
    await shop.register(
      async (child) => {
        registerSetRoute(child, "/set", async (body) => body);
        registerSetRoute(child, "/set-again", async (body) => body);
      },
      { prefix: "/pay" },
    );
    const base = await shop.listen({ port: 0, host: "127.0.0.1" });
    try {
      expect(await postSet(`${base}/pay/set`, new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
      expect(await postSet(`${base}/pay/set-again`, new Uint8Array([4]))).toEqual(new Uint8Array([4]));
      const own = await fetch(`${base}/own`, {
        method: "POST",
        headers: { "content-type": SET_PAYMENT },
        body: "x",
      });
      expect(await own.json()).toEqual({ body: "shop:x" });
    } finally {
      await shop.close();
    }
  });
});

test("the SET body limit is the card link's largest SET message: the card can take whatever a party sends", () => {
  expect(defaultSetBodyLimit).toBe(MAX_SET_MESSAGE);
});
