/**
 * HTTP targets: every route of the merchant, the gateway and the CA, through the real fastify
 * apps. A clean answer is a 2xx, or a 4xx with an error body; a 5xx, an answer to POST /set that
 * is not a MessageWrapper, or an exception is a failure. After each target the party still serves
 * a valid request, and no rejected input left a row behind where that is checkable.
 */
import { parseSetCertificate, schema, toHex } from "@setlab/protocol";
import { SET_PAYMENT } from "@setlab/runtime";
import fc from "fast-check";
import type { Corpus } from "../corpus";
import { byteInputs, jsonInputs, randomBytes } from "../generators";
import { FuzzFailure, type FuzzTarget, hexPrefix, type Verdict } from "../harness";
import type { HttpAnswer, HttpRequest, Party, World } from "../world";

const big = new Uint8Array(300 * 1024).fill(0x30);

const setTypes = fc.oneof(
  { weight: 8, arbitrary: fc.constant(SET_PAYMENT) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "application/json",
      "text/plain",
      "application/octet-stream",
      "application/set-payment; charset=utf-8",
      "application/set-registration",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "",
    ),
  },
);

/** Fuzzed path segments: ids, traversal, encodings, overlong and odd characters. */
const segment = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom(
    "0",
    "-1",
    "1e3",
    "99999999999999999999",
    "9007199254740993",
    "%00",
    "..%2F..%2Fetc",
    "%",
    "%ZZ",
    "a%20b",
    "null",
    "__proto__",
    "constructor",
  ),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constant("x".repeat(5000)),
  fc.uint8Array({ minLength: 20, maxLength: 40 }).map((b) => toHex(b)),
);

const query = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 40 }).map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
  segment.map((s) => `?xid=${s}`),
  fc.constant("?xid=a&xid=b"),
  fc.constant("?a[b][c]=1&__proto__[x]=1"),
);

const method = fc.constantFrom<HttpRequest["method"]>("GET", "POST", "PUT", "DELETE");

/** A request to a fuzzed path under the given route templates (":x" = a fuzzed segment). */
function routeRequests(templates: readonly string[]): fc.Arbitrary<HttpRequest> {
  return fc
    .tuple(
      fc.constantFrom(...templates),
      fc.array(segment, { minLength: 3, maxLength: 3 }),
      query,
      method,
      fc.option(randomBytes(200), { nil: undefined }),
      fc.constantFrom("application/json", SET_PAYMENT, "text/plain"),
    )
    .map(([template, segs, q, m, body, type]) => {
      let i = 0;
      const url = template.replace(/:[a-z]+/g, () => segs[i++ % segs.length]) + q;
      const withBody = body !== undefined && m !== "GET";
      return {
        method: m,
        url,
        ...(withBody ? { headers: { "content-type": type }, payload: Buffer.from(body) } : {}),
      };
    });
}

const show = (r: HttpRequest) =>
  `${r.method} ${r.url.slice(0, 120)}${r.headers ? ` [${r.headers["content-type"]}]` : ""}${r.payload === undefined ? "" : ` ${typeof r.payload === "string" ? JSON.stringify(r.payload.slice(0, 80)) : hexPrefix(r.payload)}`}`;

/** 2xx accepted, 4xx rejected (with an error body), 5xx and anything else a failure. */
export function statusVerdict(a: HttpAnswer, r: HttpRequest, needBody = true): Verdict {
  if (a.status >= 500)
    throw new FuzzFailure(
      "serverError",
      `${r.method} ${r.url.slice(0, 80)} answered ${a.status}: ${a.body.subarray(0, 200).toString()}`,
    );
  if (a.status >= 200 && a.status < 300) return "accepted";
  if (a.status >= 400 && a.status < 500) {
    if (needBody && a.status !== 404 && a.body.length === 0 && r.method !== "GET")
      throw new FuzzFailure("invariant", `${a.status} without an error body`);
    return "rejected";
  }
  throw new FuzzFailure("invariant", `unexpected status ${a.status}`);
}

/** POST /set: a 200 carries a MessageWrapper (the answer or a SET Error) or nothing (an Error was sent). */
function setVerdict(a: HttpAnswer, r: HttpRequest, answerType: string): Verdict {
  const v = statusVerdict(a, r, false);
  if (v === "rejected") {
    if (![400, 413, 415].includes(a.status))
      throw new FuzzFailure("invariant", `POST /set answered ${a.status}`);
    return v;
  }
  if (a.status !== 200) throw new FuzzFailure("invariant", `POST /set answered ${a.status}`);
  if (a.body.length === 0) return "rejected";
  if (!a.type.startsWith(SET_PAYMENT))
    throw new FuzzFailure("invariant", `POST /set answered content type ${a.type}`);
  let message: schema.MessageWrapper;
  try {
    message = schema.decodeMessage(new Uint8Array(a.body));
  } catch (e) {
    throw new FuzzFailure(
      "invariant",
      `POST /set answered bytes that are not a MessageWrapper (${(e as Error).message})`,
    );
  }
  return message.message.type === answerType ? "accepted" : "rejected";
}

function setRequests(corpus: readonly Uint8Array[]): fc.Arbitrary<HttpRequest> {
  return fc
    .tuple(
      fc.oneof({ weight: 30, arbitrary: byteInputs(corpus) }, { weight: 1, arbitrary: fc.constant(big) }),
      setTypes,
    )
    .map(
      ([body, type]): HttpRequest => ({
        method: "POST",
        url: "/set",
        headers: type ? { "content-type": type } : {},
        payload: Buffer.from(body),
      }),
    );
}

async function expectPurchase(world: World): Promise<void> {
  const c = await world.purchase();
  if (c.completionCode !== "authorizationPerformed")
    throw new Error(`a valid purchase ended ${c.completionCode}`);
}

/** Creating an order must give the next id: a rejected input created no order row. */
async function nextOrderId(merchant: Party): Promise<number> {
  const a = await merchant.request({
    method: "POST",
    url: "/orders",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ description: "fuzz probe", amount: 1, currency: 392 }),
  });
  if (a.status !== 201) throw new Error(`a valid POST /orders answered ${a.status}`);
  return (JSON.parse(a.body.toString()) as { id: number }).id;
}

/** A new RSA public key the CA has never certified. */
async function freshSpki(world: World): Promise<Uint8Array> {
  const pair = (await world.p.crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return new Uint8Array(await world.p.crypto.subtle.exportKey("spki", pair.publicKey));
}

export async function httpTargets(world: World, corpus: Corpus): Promise<FuzzTarget<unknown>[]> {
  const { merchant, gateway, merchantAdmin, gatewayAdmin, ca } = world;
  const slow = (runs: number) => ({
    runs,
    why: "each input is a full HTTP exchange with the real party (signature checks, SQLite); measured rate in the report",
  });
  const gatewayXid = corpus.capture.xid;
  const authorizationsOf = (xid: string | undefined) =>
    xid ? world.gatewayStore.authorizationsByXid(xid).length : 0;

  // POST /orders: counts the orders the accepted inputs created.
  let ordersCreated = 0;
  let ordersBaseline = 0;
  const validOrder = {
    description: "fuzz order",
    amount: 1280,
    currency: 392,
    amtExp10: 0,
    brand: "Visa",
    profile: "set",
  };

  const root = parseSetCertificate(world.pki.root());
  const merchantSpki = parseSetCertificate(world.pki.certificate("visa/merchant/signature")).spki;
  // Each valid issuance names a merchant of its own: a merID already certified is refused (409).
  let shops = 0;
  const issueFor = (spki: Uint8Array) => {
    const n = ++shops;
    return {
      ca: "visa/mca",
      profile: "merchantSignature",
      commonName: `Fuzz Shop ${n}`,
      merID: `FUZZ-SHOP-${n}`,
      merchantName: `Fuzz Shop ${n}`,
      spki: Buffer.from(spki).toString("base64"),
    };
  };
  const operator = { authorization: `Bearer ${world.caOperatorToken}` };
  // Most inputs come from the operator; the rest from anyone (401 before any other check).
  const caller = fc.oneof(
    { weight: 9, arbitrary: fc.constant(operator) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
  const validIssue = issueFor(await freshSpki(world));
  let rootThumb = "";

  const targets: FuzzTarget<HttpRequest>[] = [
    {
      name: "merchant/POST /set",
      family: "http",
      defaultRuns: slow(20_000),
      inputs: setRequests(corpus.messages),
      run: async (r) => setVerdict(await merchant.request(r), r, "purchaseInitResponse"),
      show,
      healthCheck: () => expectPurchase(world),
    },
    {
      name: "merchant/POST /orders",
      family: "http",
      inputs: fc
        .tuple(
          jsonInputs(validOrder),
          fc.oneof(
            { weight: 9, arbitrary: fc.constant("application/json") },
            { weight: 1, arbitrary: setTypes },
          ),
        )
        .map(([body, type]) => ({
          method: "POST" as const,
          url: "/orders",
          headers: { "content-type": type },
          payload: Buffer.from(body),
        })),
      run: async (r) => {
        if (ordersBaseline === 0) ordersBaseline = await nextOrderId(merchantAdmin);
        const a = await merchantAdmin.request(r);
        const v = statusVerdict(a, r);
        if (v === "accepted") {
          if (a.status !== 201) throw new FuzzFailure("invariant", `POST /orders answered ${a.status}`);
          ordersCreated++;
        }
        return v;
      },
      show,
      healthCheck: async () => {
        const next = await nextOrderId(merchantAdmin);
        if (ordersBaseline !== 0 && next !== ordersBaseline + ordersCreated + 1)
          throw new Error(
            `order ids jumped from ${ordersBaseline} to ${next} with ${ordersCreated} accepted: a rejected input created an order`,
          );
        await expectPurchase(world);
      },
    },
    {
      name: "merchant/routes",
      family: "http",
      inputs: fc.oneof(
        routeRequests([
          "/orders/:id/status",
          "/orders/:id/initiation",
          "/orders/:id",
          "/orders/:id/messages",
          "/orders/:id/:x",
          "/:x",
          "/health",
          "/orders",
          "/set",
        ]),
        fc.constantFrom(
          { method: "GET" as const, url: `/orders/${corpus.capture.orderId}/status` },
          { method: "GET" as const, url: `/orders/${corpus.capture.orderId}/initiation` },
        ),
      ),
      run: async (r) => statusVerdict(await merchant.request(r), r, false),
      show,
      healthCheck: () => expectPurchase(world),
    },
    {
      name: "merchant/admin routes",
      family: "http",
      inputs: fc.oneof(
        routeRequests([
          "/orders/:id",
          "/orders/:id/messages",
          "/orders/:id/:x",
          "/:x",
          "/admin/faults",
          "/set",
        ]),
        fc.constantFrom(
          { method: "GET" as const, url: `/orders/${corpus.capture.orderId}` },
          { method: "GET" as const, url: `/orders/${corpus.capture.orderId}/messages` },
        ),
      ),
      run: async (r) => statusVerdict(await merchantAdmin.request(r), r, false),
      show,
      healthCheck: () => expectPurchase(world),
    },
    {
      name: "gateway/POST /set",
      family: "http",
      defaultRuns: slow(20_000),
      inputs: setRequests([corpus.capture.authReq, ...corpus.messages]),
      run: async (r) => {
        const v = setVerdict(await gateway.request(r), r, "authorizationResponse");
        if (authorizationsOf(gatewayXid) !== 1)
          throw new FuzzFailure(
            "invariant",
            `XID ${gatewayXid} has ${authorizationsOf(gatewayXid)} authorizations`,
          );
        return v;
      },
      show,
      healthCheck: () => expectPurchase(world),
    },
    {
      name: "gateway/admin routes",
      family: "http",
      inputs: fc.oneof(
        routeRequests([
          "/admin/authorizations",
          "/admin/accounts/:id",
          "/admin/:x",
          "/admin/accounts/:id/:x",
          "/:x",
          "/health",
          "/set",
        ]),
        fc.constantFrom(
          { method: "GET" as const, url: `/admin/authorizations?xid=${gatewayXid}` },
          { method: "GET" as const, url: "/admin/accounts/visa-approve" },
        ),
      ),
      run: async (r) => statusVerdict(await gatewayAdmin.request(r), r, false),
      show,
      healthCheck: async () => {
        const a = await gatewayAdmin.request({
          method: "GET",
          url: `/admin/authorizations?xid=${gatewayXid}`,
        });
        if (a.status !== 200 || (JSON.parse(a.body.toString()) as unknown[]).length !== 1)
          throw new Error("the corpus authorization is no longer listed once");
        await expectPurchase(world);
      },
    },
    {
      name: "ca/GET lookups",
      family: "http",
      inputs: fc.oneof(
        routeRequests([
          "/certificates/:thumb",
          "/crls/:thumb",
          "/bcis/:thumb",
          "/:x",
          "/certificates/:thumb/:x",
        ]),
        fc
          .constantFrom("certificates", "crls", "bcis")
          .map((k) => ({ method: "GET" as const, url: `/${k}/${rootThumb}` })),
      ),
      run: async (r) => {
        if (!rootThumb) rootThumb = toHex(await root.thumb());
        return statusVerdict(await ca.request(r), r);
      },
      show,
      healthCheck: async () => {
        const thumb = toHex(await root.thumb());
        const a = await ca.request({ method: "GET", url: `/certificates/${thumb}` });
        if (a.status !== 200 || !a.body.equals(Buffer.from(world.pki.root())))
          throw new Error(`GET /certificates/<root> answered ${a.status}`);
      },
    },
    {
      name: "ca/POST /certificates",
      family: "http",
      defaultRuns: slow(20_000),
      inputs: fc.oneof(
        fc
          .tuple(
            jsonInputs(validIssue),
            fc.oneof(
              { weight: 8, arbitrary: fc.constant("application/json") },
              { weight: 2, arbitrary: setTypes },
            ),
            caller,
          )
          .map(([b, type, who]) => ({
            method: "POST" as const,
            url: "/certificates",
            headers: { "content-type": type, ...who },
            payload: Buffer.from(b),
          })),
        fc
          .tuple(
            byteInputs([merchantSpki]),
            fc.constantFrom("application/octet-stream", "application/pkcs10"),
            query,
            caller,
          )
          .map(([b, type, q, who]) => ({
            method: "POST" as const,
            url: `/certificates?ca=visa/mca&profile=merchantSignature&merID=FUZZ-Q&merchantName=Fuzz%20Q${q.replace("?", "&")}`,
            headers: { "content-type": type, ...who },
            payload: Buffer.from(b),
          })),
        fc.constant({
          method: "POST" as const,
          url: "/certificates",
          headers: { "content-type": "application/json", ...operator },
          payload: Buffer.from(big),
        }),
      ),
      run: async (r) => {
        const a = await ca.request(r);
        const v = statusVerdict(a, r);
        if (v === "rejected") {
          let body: { code?: unknown };
          try {
            body = JSON.parse(a.body.toString()) as { code?: unknown };
          } catch {
            throw new FuzzFailure("invariant", `${a.status} with a body that is not JSON`);
          }
          if (typeof body.code !== "string")
            throw new FuzzFailure("invariant", `${a.status} without a SET ErrorCode`);
        }
        return v;
      },
      show,
      healthCheck: async () => {
        const a = await ca.request({
          method: "POST",
          url: "/certificates",
          headers: { "content-type": "application/json", ...operator },
          payload: JSON.stringify(issueFor(await freshSpki(world))),
        });
        if (a.status !== 201) throw new Error(`a valid issuance answered ${a.status}: ${a.body.toString()}`);
      },
    },
  ];
  return targets as FuzzTarget<unknown>[];
}
