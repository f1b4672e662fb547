/** The listener bounds, on a real fastify server over loopback, with limits small enough to watch. */
import * as net from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { capConnections, fastifyServerOptions, type ServerLimits } from "./serverLimits";

const limits: ServerLimits = {
  maxConnections: 3,
  requestTimeoutMs: 400,
  headersTimeoutMs: 300,
  idleTimeoutMs: 600,
  keepAliveTimeoutMs: 300,
  checkEveryMs: 100,
};

let app: FastifyInstance;
let port: number;
const open: net.Socket[] = [];

beforeAll(async () => {
  app = Fastify(fastifyServerOptions(limits));
  capConnections(app.server, limits);
  app.post("/echo", async (req) => ({ got: (req.body as { n?: number }).n }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  port = (app.server.address() as net.AddressInfo).port;
});
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});
afterAll(() => app.close());

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", () => {});
    s.once("error", reject);
    open.push(s);
  });
}

/** Resolve with what the server sent before it closed the connection, and how long that took. */
function closed(s: net.Socket): Promise<{ text: string; ms: number }> {
  const start = Date.now();
  let text = "";
  s.on("data", (d) => {
    text += d.toString();
  });
  return new Promise((resolve) => s.on("close", () => resolve({ text, ms: Date.now() - start })));
}

test("a body that never finishes is cut off at the request timeout", async () => {
  const s = await connect();
  const end = closed(s);
  s.write(
    'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"n":',
  );
  const { text, ms } = await end;
  expect(text).toMatch(/^HTTP\/1.1 408/);
  expect(ms).toBeLessThan(limits.requestTimeoutMs + 5 * limits.checkEveryMs + 1000);
});

test("headers that never finish are cut off", async () => {
  const s = await connect();
  const end = closed(s);
  s.write("POST /echo HTTP/1.1\r\nHost: x\r\n");
  const { text } = await end;
  expect(text).toMatch(/^HTTP\/1.1 408/);
});

test("a connection that sends nothing is closed (at the headers timeout, before the idle one)", async () => {
  const s = await connect();
  const { text, ms } = await closed(s);
  expect(text === "" || text.startsWith("HTTP/1.1 408")).toBe(true);
  expect(ms).toBeLessThan(limits.idleTimeoutMs + 1000);
});

test("past the connection cap a new connection is closed at once; below it requests are served", async () => {
  const held = await Promise.all([connect(), connect(), connect()]);
  const extra = await connect();
  const { text } = await closed(extra);
  expect(text).toBe("");
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 50));
  const res = await fetch(`http://127.0.0.1:${port}/echo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 7 }),
  });
  expect(await res.json()).toEqual({ got: 7 });
});

test("a route that declares a JSON schema is refused at registration; JSON bodies and answers without one still work", async () => {
  const withSchema = Fastify(fastifyServerOptions(limits));
  withSchema.post("/typed", { schema: { body: { type: "object" } } }, async () => ({}));
  await expect(withSchema.ready()).rejects.toThrow(/compiles no JSON schemas/);
  const answered = Fastify(fastifyServerOptions(limits));
  answered.get("/typed", { schema: { response: { 200: { type: "object" } } } }, async () => ({}));
  await expect(answered.ready()).rejects.toThrow(/compiles no JSON schemas/);
  // The app without a schema parses and answers JSON.
  const res = await fetch(`http://127.0.0.1:${port}/echo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 3 }),
  });
  expect(await res.json()).toEqual({ got: 3 });
});
