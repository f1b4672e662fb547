/**
 * The patent's second embodiment end to end, each party its own process: an order with profile
 * `embodiment-2`, the mediator CLI relaying the shop's and the card's hellos and the session key,
 * showing the buyer the order the card marks non-forward and answering with `--confirm`, and only
 * then the card information under the session key; the merchant authorizes over E1AuthReq.
 * Every body the PC sends toward the shop passes a recording proxy: the order never does.
 *
 * Needs the packages built (`npx tsc -b`). Without a dist the suite fails with what is missing.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { SET_PAYMENT_INITIATION } from "@setlab/runtime";
import { type HostChannel, runNativeHost } from "./nativeHost";
import { type HostMessage, nativeHostProtocol } from "./nativeHostProtocol";
import {
  contents,
  e2PurchaseArgs,
  json,
  LINK_CODE,
  PIN,
  usePurchaseLab,
} from "./testing/purchaseLab.test-helper";

const lab = usePurchaseLab("setlab-e2-");

/**
 * A proxy in front of the merchant that keeps every body the PC posts toward the shop; it also
 * serves `initiation` (when given) at /initiation, as the shop's page origin would.
 */
async function recordingProxy(target: string, initiation?: (origin: string) => Record<string, unknown>) {
  const bodies: Buffer[] = [];
  let origin = "";
  const server = http.createServer((req, res) => {
    if (initiation && req.method === "GET" && req.url === "/initiation") {
      res.writeHead(200, { "content-type": SET_PAYMENT_INITIATION });
      res.end(JSON.stringify(initiation(origin)));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body: req.method === "POST" ? body : undefined,
      });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const description = "2 x SET Lab tea towel, embroidered";

/** A new order with profile embodiment-2; its id and its initiation object, with embodimentUrl through `via`. */
async function order(via?: string): Promise<{ id: number; file: string }> {
  const { id, initiation: url } = await lab.order({ description, amount: 4200, profile: "embodiment-2" });
  const initiation = (await (await fetch(url)).json()) as Record<string, unknown>;
  expect(initiation.profile).toBe("embodiment-2");
  if (via) initiation.embodimentUrl = `${via}/set/embodiment`;
  const file = path.join(lab.work, `initiation-${id}.json`);
  fs.writeFileSync(file, JSON.stringify(initiation));
  return { id, file };
}

const admin = (route: string) => lab.admin(lab.merchant.adminUrl ?? "", route);

describe("embodiment 2 through set-mediator purchase", () => {
  test("the buyer confirms the order shown under the non-forward flag; the order never goes to the shop; approved", async () => {
    const proxy = await recordingProxy(lab.merchant.url);
    const cwd = lab.emptyDir("cwd");
    const home = lab.emptyDir("home");
    const tmp = lab.emptyDir("tmp");
    try {
      const { id, file } = await order(proxy.url);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: tmp,
        SETLAB_LOG_LEVEL: "trace",
      };
      const r = await lab.purchaseCli(e2PurchaseArgs(file, "yes"), { cwd, env });
      expect(r.stderr).not.toMatch(/set-mediator:/);
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ outcome: "approved", completionCode: "authorizationPerformed" });
      // Shown to the buyer: the order as the card opened it under the session key.
      expect(r.stderr).toMatch(new RegExp(`order from [^:]+: ${description}, JPY 4200`));
      // Never toward the shop: no body the PC posted is the marked item or carries the order.
      expect(proxy.bodies.length).toBe(3);
      for (const body of proxy.bodies) {
        expect(body.toString("latin1")).not.toContain(description);
        expect(body.toString("latin1")).not.toContain("tea towel");
      }
      for (const d of [cwd, home, tmp]) expect(contents(d)).toEqual([]);
      const printed = r.stdout + r.stderr;
      for (const card of Object.values(lab.pki.cards())) expect(printed).not.toContain(card.pan);
      const view = (await admin(`/orders/${id}`)) as { state: string };
      expect(view.state).toBe("authorized");
      const messages = (await admin(`/orders/${id}/messages`)) as { type: string }[];
      expect(messages.map((m) => m.type)).not.toContain("e2OrderForBuyer");
    } finally {
      await proxy.close();
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("the buyer says no: the card gives nothing, the shop gets no card information", async () => {
    const proxy = await recordingProxy(lab.merchant.url);
    try {
      const { id, file } = await order(proxy.url);
      const r = await lab.purchaseCli(e2PurchaseArgs(file, "no"));
      expect(r.code).toBe(2);
      expect(json(r)).toMatchObject({ outcome: "refused", reason: "the buyer did not confirm the order" });
      // E2Init and E2CardHello only: no E2CardInfo left the PC.
      expect(proxy.bodies.length).toBe(2);
      const view = (await admin(`/orders/${id}`)) as { state: string };
      expect(view.state).toBe("initiated");
    } finally {
      await proxy.close();
    }
  });
});

/**
 * The extension's side of the pipe: start, pay, then the buyer's answer, which it gives only once
 * the host has shown the order (a `confirm-order`); it records everything the host sent.
 */
function panel(initiationUrl: string, confirmed: boolean): HostChannel & { sent: HostMessage[] } {
  const sent: HostMessage[] = [];
  const origin = new URL(initiationUrl).origin;
  const script: (() => Record<string, unknown>)[] = [
    () => ({ type: "start", protocol: nativeHostProtocol, initiationUrl, pageOrigin: origin }),
    () => ({ type: "pay", cardId: "visa-approve", pin: PIN }),
    () => {
      expect(sent.at(-1)?.type).toBe("confirm-order");
      return { type: "confirmation", confirmed };
    },
  ];
  return { sent, send: (m) => sent.push(m), next: async () => script.shift()?.() };
}

describe("embodiment 2 through the native host (the browser's path)", () => {
  /** An order's initiation object, served by a proxy that records what the PC posts to the shop. */
  async function shopBehindProxy() {
    const { id, initiation: url } = await lab.order({ description, amount: 4200, profile: "embodiment-2" });
    const initiation = (await (await fetch(url)).json()) as Record<string, unknown>;
    const proxy = await recordingProxy(lab.merchant.url, (origin) => ({
      ...initiation,
      embodimentUrl: `${origin}/set/embodiment`,
    }));
    return { id, proxy };
  }
  const host = (channel: HostChannel) => {
    const [phoneHost, phonePort] = lab.phoneAddress.split(":");
    return runNativeHost(channel, {
      phone: { host: phoneHost, port: Number(phonePort) },
      pairingCode: LINK_CODE,
      cards: ["visa-approve"],
    });
  };

  test("the panel is shown the order the card marked non-forward; the shop never gets it; approved on yes", async () => {
    const { id, proxy } = await shopBehindProxy();
    try {
      const channel = panel(`${proxy.url}/initiation`, true);
      const outcome = await host(channel);
      expect(outcome).toMatchObject({ outcome: "approved", message: "Approved: JPY 4200." });
      const shown = channel.sent.filter((m) => m.type === "confirm-order");
      expect(shown).toEqual([
        { type: "confirm-order", merchant: expect.any(String), description, amount: "JPY 4200" },
      ]);
      expect((shown[0] as { merchant: string }).merchant).not.toBe("");
      // The card information left only after the yes: the authorization step follows the order shown.
      const types = channel.sent.map((m) => (m.type === "progress" ? m.step : m.type));
      expect(types.indexOf("confirm-order")).toBeLessThan(types.indexOf("E2-7"));
      // E2Init, E2CardHello, E2CardInfo: the marked order is none of them, nor inside one.
      expect(proxy.bodies.length).toBe(3);
      for (const body of proxy.bodies) expect(body.toString("latin1")).not.toContain("tea towel");
      expect(((await admin(`/orders/${id}`)) as { state: string }).state).toBe("authorized");
    } finally {
      await proxy.close();
    }
  });

  test("the buyer cancels in the panel: nothing more goes to the shop and the order stays initiated", async () => {
    const { id, proxy } = await shopBehindProxy();
    try {
      const channel = panel(`${proxy.url}/initiation`, false);
      const outcome = await host(channel);
      expect(outcome).toMatchObject({ outcome: "refused", reason: "the buyer did not confirm the order" });
      expect(channel.sent.filter((m) => m.type === "confirm-order")).toHaveLength(1);
      expect(proxy.bodies.length).toBe(2);
      expect(((await admin(`/orders/${id}`)) as { state: string }).state).toBe("initiated");
    } finally {
      await proxy.close();
    }
  });
});
