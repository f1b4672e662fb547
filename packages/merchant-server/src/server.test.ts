/**
 * The merchant as a real process: `node dist/cli.js serve` over a `set-ca init` PKI and a SQLite
 * file, driven over HTTP by a card built from the lab PKI. The gateway URL points at a closed
 * port, so the authorization fails the way an unreachable gateway fails.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { SET_PAYMENT, SET_PAYMENT_INITIATION, type StartedParty } from "@setlab/runtime";
import { errorCodeOf } from "./testing/errorCode";
import { type LabMerchant, labCardKit, merchantCli, startLabMerchant } from "./testing/labMerchant";
import { type CardKit, pInitReq, pReq, readPInitRes, readPRes } from "./testing/testCard";

const cli = merchantCli;
const p = nodeProvider();
let lab: LabMerchant;
let dir: string;
let merchant: StartedParty;
let kit: CardKit;

beforeAll(async () => {
  lab = await startLabMerchant("merchant-server-");
  dir = lab.dir;
  merchant = lab.party;
  const card = lab.pki.cards()["visa-approve"];
  kit = await labCardKit(p, lab.pki, "visa/cards/visa-approve", card, "unused-here");
}, 120_000);

afterAll(() => lab?.close());

const post = (url: string, body: BodyInit, type: string) =>
  fetch(url, { method: "POST", headers: { "content-type": type }, body });

const postSet = async (body: Uint8Array) => {
  const res = await post(`${merchant.url}/set`, new Uint8Array(body), SET_PAYMENT);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain(SET_PAYMENT);
  return new Uint8Array(await res.arrayBuffer());
};

describe("set-merchant serve", () => {
  test("health, order validation (400) and the initiation object", async () => {
    expect((await fetch(`${merchant.url}/health`)).status).toBe(200);
    const bad = await post(
      `${merchant.url}/orders`,
      JSON.stringify({ description: "mug", amount: -5, currency: 392 }),
      "application/json",
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("amount");
    const created = await post(
      `${merchant.url}/orders`,
      JSON.stringify({ description: "1 x mug", amount: 12800, currency: 392 }),
      "application/json",
    );
    expect(created.status).toBe(201);
    const order = await created.json();
    expect(order).toMatchObject({ lidM: `order-${order.id}`, state: "created" });
    const res = await fetch(`${merchant.url}/orders/${order.id}/initiation`);
    expect(res.headers.get("content-type")).toContain(SET_PAYMENT_INITIATION);
    const init = JSON.parse(await res.text());
    expect(init).toMatchObject({
      format: "setlab-initiation/1",
      setUrl: `${merchant.url}/set`,
      orderUrl: `${merchant.url}/orders/${order.id}`,
      brands: ["Visa", "MasterCard"],
      lidM: order.lidM,
      purchAmt: { currency: 392, amount: 12800, amtExp10: 0 },
      od: Buffer.from("1 x mug").toString("base64"),
      profile: "set",
      unsignedAllowed: ["MasterCard"],
    });
    expect((await fetch(`${merchant.url}/orders/999999`)).status).toBe(404);
    expect((await fetch(`${merchant.url}/orders/abc/initiation`)).status).toBe(404);
  });

  test("transport: 415 for another content type, 413 over 256 KiB, a SET Error for garbage", async () => {
    expect((await post(`${merchant.url}/set`, "hello", "text/plain")).status).toBe(415);
    expect((await post(`${merchant.url}/set`, new Uint8Array(300 * 1024), SET_PAYMENT)).status).toBe(413);
    expect(await errorCodeOf(p, await postSet(Uint8Array.of(1, 2, 3)))).toBe("decodingFailure");
  });

  test("a purchase whose gateway is unreachable: PRes orderReceived, order authorizationFailed, messages recorded", async () => {
    const description = "2 x SET Lab mug";
    const purchAmt = { currency: 392, amount: 25600, amtExp10: 0 };
    const order = await (
      await post(
        `${merchant.url}/orders`,
        JSON.stringify({ description, amount: 25600, currency: 392 }),
        "application/json",
      )
    ).json();
    const session = pInitReq(p, order.lidM, { bin: kit.pan.slice(0, 6) });
    const verified = await readPInitRes(p, kit, session, await postSet(session.pInitReq));
    const req = await pReq(p, kit, session, verified, { description, purchAmt });
    const answer = await postSet(req.der);
    const pRes = await readPRes(p, kit, session, verified.data.transIDs.xid, answer);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderReceived");
    // The same PReq again: the same bytes.
    expect(Buffer.from(await postSet(req.der)).equals(Buffer.from(answer))).toBe(true);

    const view = await (await fetch(`${merchant.url}/orders/${order.id}`)).json();
    expect(view.state).toBe("authorizationFailed");
    expect(view.xid).toBe(Buffer.from(verified.data.transIDs.xid).toString("hex"));
    expect(view.history.map((h: { state: string }) => h.state)).toEqual([
      "created",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "authorizationFailed",
    ]);
    const messages = await (await fetch(`${merchant.url}/orders/${order.id}/messages`)).json();
    expect(messages.map((m: { type: string }) => m.type)).toEqual([
      "purchaseInitRequest",
      "purchaseInitResponse",
      "purchaseRequest",
      "authorizationRequest",
      "purchaseResponse",
    ]);
    expect(Buffer.from(messages[2].der, "base64").equals(Buffer.from(req.der))).toBe(true);

    const logs = merchant.stderr();
    // Every line is a JSON log line: no process warning (a deprecated fastify option) among them.
    for (const line of logs.split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).toContain(`"orderId":${order.id}`);
    expect(logs).toContain(view.xid);
    expect(logs).not.toContain(kit.pan);
  });

  test("bad arguments: one line on stderr, exit code 2", () => {
    const r = spawnSync(
      process.execPath,
      [
        cli,
        "serve",
        "--pki",
        path.join(dir, "nowhere"),
        "--db",
        ":memory:",
        "--gateway",
        "Visa=http://127.0.0.1:1",
      ],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not a lab PKI");
    const u = spawnSync(process.execPath, [cli, "serve", "--gateway", "Visa"], { encoding: "utf8" });
    expect(u.status).toBe(2);
    expect(u.stderr).toContain("BRAND=URL");
  });
});
