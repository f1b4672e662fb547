/**
 * Test-only: the merchant's admin plugin over real HTTP on loopback, a merchant behind it whose
 * gateway is a `GatewayFunction`, and a way to get an authorized order: what the back-office route
 * tests (capture, reversal) start from.
 */
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import type { TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import fastify from "fastify";
import { merchantAdminPlugin } from "../adminPlugin";
import { Merchant } from "../core/merchant";
import { SqliteRepository } from "../store/sqliteRepository";
import { GatewayFunction } from "./gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes } from "./testCard";
import { testMerchantConfig } from "./testMerchantConfig";

export const adminTestToken = "t".repeat(43);
export const adminTestPurchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

export async function adminTestServer(p: CryptoProvider, pki: TestPki, dir: string) {
  const gateway = new GatewayFunction(p, pki);
  const merchant = new Merchant({
    p,
    repo: closedAtEnd(new SqliteRepository(path.join(dir, `a${Date.now()}-${Math.random()}.db`))),
    config: testMerchantConfig(pki),
    gateway,
  });
  const purchAmt = adminTestPurchAmt;
  /** An order of `purchAmt` the test gateway authorized (a split shipment's first part when given). */
  const authorize = async (firstShipmentAmount?: number) => {
    const order = await merchant.createOrder({
      description: "mug",
      ...purchAmt,
      ...(firstShipmentAmount !== undefined ? { firstShipmentAmount } : {}),
    });
    const session = pInitReq(p, order.lidM);
    const data = await readPInitRes(
      p,
      kitOf(pki),
      session,
      (await merchant.handleSet(session.pInitReq)).response,
    );
    await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description: "mug", purchAmt })).der,
    );
    return order.id;
  };
  const app = fastify();
  await app.register(merchantAdminPlugin, { merchant, token: adminTestToken });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const request = async (
    method: string,
    route: string,
    body: unknown,
    auth: string,
    headers: Record<string, string>,
  ) => {
    const r = await fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...headers,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  /** A POST with the admin token (or `auth`); a JSON body when given. */
  const post = (route: string, body?: unknown, auth = adminTestToken, headers: Record<string, string> = {}) =>
    request("POST", route, body, auth, headers);
  /** Any method with the admin token. */
  const call = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(method, route, body, adminTestToken, headers);
  return { authorize, post, call, url, close: () => app.close(), gateway, merchant };
}
