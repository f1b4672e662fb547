/**
 * The HTTP shell over a backend holding real test-PKI certificates: routing, content types,
 * size bound and error mapping. Issuance by the real CA core is tested through the PKI directory
 * backend (cli/pkiBackend.test.ts).
 */
import { parseSetCertificate, SetError, toHex } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { buildCaServer, type CaBackend, caPlugin, type IssuanceRequest } from "./server";
import type { IssuanceAuthority } from "./server/backend";

let pki: TestPki;
let app: FastifyInstance;
const requests: IssuanceRequest[] = [];
const authorities: (IssuanceAuthority | undefined)[] = [];
let merThumb: string;
let base: string;
let backend: CaBackend;

interface Call {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

/**
 * Real HTTP over loopback: fastify's inject() loads an ESM-only dependency (cookie 2) that jest's
 * CommonJS runtime cannot require.
 */
async function call(c: Call, to = base) {
  const headers = { ...c.headers };
  let body: BodyInit | undefined;
  if (Buffer.isBuffer(c.payload)) body = new Uint8Array(c.payload);
  else if (typeof c.payload === "string") body = c.payload;
  else if (c.payload !== undefined) {
    body = JSON.stringify(c.payload);
    headers["content-type"] ??= "application/json";
  }
  const r = await fetch(`${to}${c.url}`, { method: c.method, headers, body });
  const raw = new Uint8Array(await r.arrayBuffer());
  return {
    statusCode: r.status,
    headers: { "content-type": r.headers.get("content-type"), location: r.headers.get("location") },
    rawPayload: raw,
    json: () => JSON.parse(Buffer.from(raw).toString("utf8")),
  };
}

beforeAll(async () => {
  pki = await createTestPki();
  const mer = parseSetCertificate(pki.merchantSig.certificate);
  merThumb = toHex(await mer.thumb());
  const byThumb = new Map([[merThumb, pki.merchantSig.certificate]]);
  backend = {
    certificate: async (t) => byThumb.get(toHex(t)),
    crl: async () => undefined,
    bci: async () => undefined,
    issue: async (r, authority) => {
      requests.push(r);
      authorities.push(authority);
      if (r.ca !== "Visa/mca") throw new SetError("invalidCertificate", `no CA ${r.ca}`, "issuance");
      return { der: pki.merchantSig.certificate, thumb: merThumb };
    },
  };
  app = buildCaServer(backend, { bodyLimit: 4096 });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(() => app.close());

describe("CA server", () => {
  it("serves a certificate by thumb as DER", async () => {
    const r = await call({ method: "GET", url: `/certificates/${merThumb}` });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("application/pkix-cert");
    expect(new Uint8Array(r.rawPayload)).toEqual(pki.merchantSig.certificate);
    const upper = await call({ method: "GET", url: `/certificates/${merThumb.toUpperCase()}` });
    expect(upper.statusCode).toBe(200);
  });

  it.each(["certificates", "crls", "bcis"])(
    "answers 404 missingCertificate for an unknown %s thumb",
    async (k) => {
      const r = await call({ method: "GET", url: `/${k}/${"00".repeat(32)}` });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual({ code: "missingCertificate", message: expect.stringContaining("00000000") });
    },
  );

  it.each(["abc", "zz".repeat(32), "00".repeat(33)])("refuses the malformed thumb %s", async (t) => {
    const r = await call({ method: "GET", url: `/certificates/${t}` });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("decodingFailure");
  });

  it("issues from JSON, passing the decoded key on", async () => {
    const spki = Buffer.from([48, 3, 2, 1, 1]).toString("base64");
    const r = await call({
      method: "POST",
      url: "/certificates",
      payload: { ca: "Visa/mca", profile: "merchantSignature", commonName: "Shop", spki },
    });
    expect(r.statusCode).toBe(201);
    expect(r.headers.location).toBe(`/certificates/${merThumb}`);
    expect(new Uint8Array(r.rawPayload)).toEqual(pki.merchantSig.certificate);
    expect(requests.at(-1)).toEqual({
      ca: "Visa/mca",
      profile: "merchantSignature",
      commonName: "Shop",
      spki: Uint8Array.of(48, 3, 2, 1, 1),
      pkcs10: undefined,
    });
  });

  it("issues from a DER PKCS#10 body with the CA named in the query", async () => {
    const r = await call({
      method: "POST",
      url: "/certificates?ca=Visa/mca&profile=merchantSignature",
      headers: { "content-type": "application/pkcs10" },
      payload: Buffer.from([48, 0]),
    });
    expect(r.statusCode).toBe(201);
    expect(requests.at(-1)?.pkcs10).toEqual(Uint8Array.of(48, 0));
  });

  it("maps a refusal by the CA to its SET error code", async () => {
    const r = await call({
      method: "POST",
      url: "/certificates",
      payload: { ca: "Nobody/mca", profile: "merchantSignature", spki: "MAA=" },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      code: "invalidCertificate",
      message: expect.stringContaining("no CA Nobody/mca"),
    });
  });

  it.each([
    ["a missing ca", { profile: "p", spki: "MAA=" }, /ca must be/],
    ["bad base64", { ca: "Visa/mca", profile: "p", spki: "!!" }, /spki must be base64/],
    ["an array body", [1], /must be an object/],
  ])("refuses JSON with %s", async (_n, payload, message) => {
    const r = await call({ method: "POST", url: "/certificates", payload });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("decodingFailure");
    expect(r.json().message).toMatch(message);
  });

  it("refuses malformed JSON, an empty DER body and a DER body without ?ca", async () => {
    const bad = await call({
      method: "POST",
      url: "/certificates",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("decodingFailure");
    const empty = await call({
      method: "POST",
      url: "/certificates?ca=Visa/mca&profile=p",
      headers: { "content-type": "application/octet-stream" },
      payload: Buffer.alloc(0),
    });
    expect(empty.statusCode).toBe(400);
    const noCa = await call({
      method: "POST",
      url: "/certificates?profile=p",
      headers: { "content-type": "application/octet-stream" },
      payload: Buffer.from([48, 0]),
    });
    expect(noCa.json()).toEqual({ code: "decodingFailure", message: expect.stringMatching(/ca must be/) });
  });

  it("answers 413 messageTooBig above the body limit, before the CA sees it", async () => {
    const before = requests.length;
    const r = await call({
      method: "POST",
      url: "/certificates?ca=Visa/mca&profile=p",
      headers: { "content-type": "application/octet-stream" },
      payload: Buffer.alloc(5000),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe("messageTooBig");
    expect(requests.length).toBe(before);
  });

  it("answers 415 messageNotSupported for another content type, and JSON for unknown routes", async () => {
    const r = await call({
      method: "POST",
      url: "/certificates",
      headers: { "content-type": "text/plain" },
      payload: "hello",
    });
    expect(r.statusCode).toBe(415);
    expect(r.json().code).toBe("messageNotSupported");
    const nowhere = await call({ method: "GET", url: "/nowhere" });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().code).toBe("messageNotSupported");
  });

  it("hides internal faults behind unspecifiedFailure", async () => {
    const broken = buildCaServer({
      certificate: async () => {
        throw new Error("database path /secret/x is gone");
      },
      crl: async () => undefined,
      bci: async () => undefined,
      issue: async () => {
        throw new Error("x");
      },
    });
    const r = await call(
      { method: "GET", url: `/certificates/${merThumb}` },
      await broken.listen({ port: 0, host: "127.0.0.1" }),
    );
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ code: "unspecifiedFailure", message: "internal error" });
    await broken.close();
  });
});

describe("the CA plugin in another app", () => {
  it("serves under its prefix with its own parsers and handlers, leaving the app's alone", async () => {
    const host = Fastify({ bodyLimit: 1024 * 1024 });
    host.post("/own", async (req) => ({ got: req.body }));
    await host.register(caPlugin, { backend, bodyLimit: 4096, prefix: "/ca" });
    const at = await host.listen({ port: 0, host: "127.0.0.1" });
    try {
      const cert = await call({ method: "GET", url: `/ca/certificates/${merThumb}` }, at);
      expect(cert.statusCode).toBe(200);
      expect(new Uint8Array(cert.rawPayload)).toEqual(pki.merchantSig.certificate);
      // The plugin's body limit holds under its prefix; the app's own JSON route keeps the app's.
      const big = { ca: "Visa/mca", profile: "merchantSignature", spki: "A".repeat(8000) };
      expect((await call({ method: "POST", url: "/ca/certificates", payload: big }, at)).json().code).toBe(
        "messageTooBig",
      );
      expect((await call({ method: "POST", url: "/own", payload: big }, at)).json()).toEqual({ got: big });
      // The CA's not-found answer is its own prefix's; the app keeps fastify's.
      expect((await call({ method: "GET", url: "/ca/nothing" }, at)).json().code).toBe("messageNotSupported");
      expect((await call({ method: "GET", url: "/nothing" }, at)).json().code).not.toBe(
        "messageNotSupported",
      );
    } finally {
      await host.close();
    }
  });
});

describe("the operator token", () => {
  it("makes the caller the operator only when it is the configured token, sent as a bearer token", async () => {
    const token = "t".repeat(40);
    const host = buildCaServer(backend, { operatorToken: token });
    const at = await host.listen({ port: 0, host: "127.0.0.1" });
    const spki = Buffer.from([48, 3, 2, 1, 1]).toString("base64");
    const payload = { ca: "Visa/mca", profile: "merchantSignature", commonName: "Shop", spki };
    try {
      for (const [authorization, expected] of [
        [`Bearer ${token}`, { kind: "operator" }],
        [`Bearer ${token}x`, undefined],
        [`bearer ${token}`, { kind: "operator" }],
        [`Basic ${token}`, undefined],
        [token, undefined],
        [undefined, undefined],
      ] as const) {
        await call(
          { method: "POST", url: "/certificates", payload, headers: authorization ? { authorization } : {} },
          at,
        );
        expect(authorities.at(-1)).toEqual(expected);
      }
    } finally {
      await host.close();
    }
    // A server without a configured token never makes anyone the operator.
    const seen = authorities.length;
    await call({ method: "POST", url: "/certificates", payload, headers: { authorization: "Bearer x" } });
    expect(authorities.length).toBe(seen + 1);
    expect(authorities.at(-1)).toBeUndefined();
  });
});
