/**
 * The gateway's plugins registered in an app of someone else's, under prefixes, beside its own
 * routes: the payment plugin alone answers AuthReqs; the admin plugin guards only its own routes.
 */
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { adminHeaders, LabPki, LabRevocationSource, postSet, SET_PAYMENT } from "@setlab/runtime";
import { closedAtEnd } from "@setlab/runtime/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { gatewayAdminPlugin } from "./adminPlugin";
import { Gateway } from "./gateway/gateway";
import { accountsFrom, enrolledMerchantsFrom, gatewayKeysFrom, gatewayTrustFrom } from "./gatewayPki";
import { gatewayPlugin } from "./plugin";
import { GatewayStore } from "./store/gatewayStore";
import { AuthReqBuilder } from "./testing/authReqBuilder";
import { makeLabPkiDir } from "./testing/labPkiDir";
import { testStoreOptions } from "./testing/testStoreOptions";

const p = nodeProvider();
let tmp: ReturnType<typeof makeLabPkiDir>;
let store: GatewayStore;
let app: FastifyInstance;
let base: string;
let b: AuthReqBuilder;
const token = "t".repeat(43);

beforeAll(async () => {
  tmp = makeLabPkiDir();
  const pki = LabPki.open(tmp.pkiDir);
  b = new AuthReqBuilder(p, pki);
  store = closedAtEnd(GatewayStore.open(path.join(tmp.dir, "gateway.sqlite"), testStoreOptions));
  store.seedAccounts(accountsFrom(pki));
  const gateway = new Gateway({
    provider: p,
    keys: await gatewayKeysFrom(pki, p),
    trust: gatewayTrustFrom(pki, await LabRevocationSource.open(tmp.pkiDir, p)),
    store,
    enrolled: enrolledMerchantsFrom(pki),
  });
  app = Fastify();
  app.addContentTypeParser(SET_PAYMENT, { parseAs: "string" }, (_req, body, done) => done(null, body));
  app.post("/own", async (req) => ({ type: typeof req.body }));
  await app.register(gatewayPlugin, { gateway, prefix: "/acquirer" });
  await app.register(gatewayAdminPlugin, { store, token, prefix: "/backoffice" });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  tmp.cleanup();
});

it("authorizes an AuthReq at its prefix and leaves the app's own routes and parser alone", async () => {
  const req = await b.build({ amount: 1234 });
  const r = await b.read(await postSet(`${base}/acquirer/set`, req.bytes));
  expect(r.type === "authRes" && r.data.authResPayload.authHeader.authCode).toBe("approved");
  const xid = Buffer.from(req.parts.transIDs.xid).toString("hex");
  const route = `/admin/authorizations?xid=${xid}`;
  expect((await fetch(`${base}/acquirer${route}`, { headers: adminHeaders(token) })).status).toBe(404);
  expect((await fetch(`${base}/backoffice${route}`)).status).toBe(401);
  const rows = (await (
    await fetch(`${base}/backoffice${route}`, { headers: adminHeaders(token) })
  ).json()) as unknown[];
  expect(rows).toHaveLength(1);
  const own = await fetch(`${base}/own`, {
    method: "POST",
    headers: { "content-type": SET_PAYMENT },
    body: "x",
  });
  // The admin plugin's token guards its own routes only.
  expect(await own.json()).toEqual({ type: "string" });
  expect((await fetch(`${base}/set`, { method: "POST" })).status).toBe(404);
});

it("the back office releases a live hold once: the account's balance comes back; an unknown or bad AuthRRPID is refused", async () => {
  const req = await b.build({ card: "visa-debit", amount: 2_000_000 });
  const r = await b.read(await postSet(`${base}/acquirer/set`, req.bytes));
  expect(r.type === "authRes" && r.data.authResPayload.authHeader.authAmt.amount).toBeGreaterThan(0);
  const office = (route: string, method = "GET") =>
    fetch(`${base}/backoffice${route}`, { method, headers: adminHeaders(token) });
  const before = (await (await office("/admin/accounts/visa-debit")).json()) as {
    held: number;
    balance: number;
  };
  expect(before.balance).toBe(0);
  const authRRPID = Buffer.from(req.parts.authRRPID).toString("hex");
  const released = await office(`/admin/authorizations/${authRRPID}/release`, "POST");
  expect(released.status).toBe(200);
  const row = (await released.json()) as { held: number; holdUntil: string };
  expect(row.held).toBe(before.held);
  expect(Date.parse(row.holdUntil)).toBeLessThanOrEqual(Date.now());
  const after = (await (await office("/admin/accounts/visa-debit")).json()) as {
    held: number;
    balance: number;
  };
  expect(after.held).toBe(0);
  expect((await office(`/admin/authorizations/${authRRPID}/release`, "POST")).status).toBe(409);
  expect((await office(`/admin/authorizations/${"00".repeat(20)}/release`, "POST")).status).toBe(404);
  expect((await office("/admin/authorizations/zz/release", "POST")).status).toBe(400);
  expect(
    (await fetch(`${base}/backoffice/admin/authorizations/${authRRPID}/release`, { method: "POST" })).status,
  ).toBe(401);
});

it("the ledger of a capture: an authorization never captured is 404, a bad AuthRRPID 400, no token 401", async () => {
  const req = await b.build({ amount: 1500 });
  const r = await b.read(await postSet(`${base}/acquirer/set`, req.bytes));
  expect(r.type === "authRes" && r.data.authResPayload.authHeader.authCode).toBe("approved");
  const authRRPID = Buffer.from(req.parts.authRRPID).toString("hex");
  const office = (route: string) => fetch(`${base}/backoffice${route}`, { headers: adminHeaders(token) });
  expect((await office(`/admin/captures/${authRRPID}`)).status).toBe(404);
  expect((await office("/admin/captures/zz")).status).toBe(400);
  expect((await fetch(`${base}/backoffice/admin/captures/${authRRPID}`)).status).toBe(401);
});
