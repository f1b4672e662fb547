import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SET_PAYMENT, SET_PAYMENT_EMBODIMENT } from "@setlab/runtime";
import { GatewayUnreachableError } from "./core/gatewayClient";
import { HttpGatewayClient } from "./httpGatewayClient";

/** A real HTTP gateway stand-in: drops the first `drops` connections, then answers with `status`. */
async function gateway(drops: number, status = 200) {
  const bodies: Buffer[] = [];
  const seen: { url?: string; type?: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks));
      seen.push({ url: req.url, type: req.headers["content-type"] });
      if (bodies.length <= drops) {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, {
        "content-type": req.url?.endsWith("/embodiment") ? SET_PAYMENT_EMBODIMENT : SET_PAYMENT,
      });
      res.end(Buffer.from([0x30, 0x00]));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/set`;
  return { url, bodies, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const message = Uint8Array.of(0x30, 0x03, 2, 1, 7);

describe("HttpGatewayClient", () => {
  test("an embodiment message goes to <gateway>/set/embodiment with its own media type", async () => {
    const g = await gateway(0);
    try {
      const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
      expect(await client.send("Visa", message, { embodiment: true })).toEqual(Uint8Array.of(0x30, 0x00));
      await client.send("Visa", message, {});
      expect(g.seen).toEqual([
        { url: "/set/embodiment", type: SET_PAYMENT_EMBODIMENT },
        { url: "/set", type: SET_PAYMENT },
      ]);
    } finally {
      await g.close();
    }
  });

  test("a dropped connection is retried with the same bytes (up to 2 more times)", async () => {
    const g = await gateway(2);
    try {
      const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
      expect(await client.send("Visa", message, {})).toEqual(Uint8Array.of(0x30, 0x00));
      expect(g.bodies).toHaveLength(3);
      for (const b of g.bodies) expect(b.equals(Buffer.from(message))).toBe(true);
    } finally {
      await g.close();
    }
  });

  test("three drops: GatewayUnreachableError after 3 attempts", async () => {
    const g = await gateway(3);
    try {
      const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
      await expect(client.send("Visa", message, {})).rejects.toThrow(GatewayUnreachableError);
      expect(g.bodies).toHaveLength(3);
    } finally {
      await g.close();
    }
  });

  test("in doubt: three drops may have reached the gateway; a refused connection cannot have", async () => {
    const g = await gateway(3);
    try {
      const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
      const dropped = await client.send("Visa", message, {}).catch((e) => e);
      expect(dropped).toBeInstanceOf(GatewayUnreachableError);
      expect(dropped.inDoubt).toBe(true);
    } finally {
      await g.close();
    }
    // The port is closed now: every attempt is refused.
    const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
    const refused = await client.send("Visa", message, {}).catch((e) => e);
    expect(refused).toBeInstanceOf(GatewayUnreachableError);
    expect(refused.message).toContain("ECONNREFUSED");
    expect(refused.inDoubt).toBe(false);
  });

  test("HTTP 503 is retried with the same bytes; a 4xx is not retried; an unknown gateway id fails at once", async () => {
    const busy = await gateway(0, 503);
    try {
      const client = new HttpGatewayClient({ Visa: busy.url }, { spacingMs: 0 });
      await expect(client.send("Visa", message, {})).rejects.toThrow("HTTP 503");
      expect(busy.bodies).toHaveLength(3);
      for (const b of busy.bodies) expect(b.equals(Buffer.from(message))).toBe(true);
    } finally {
      await busy.close();
    }
    const g = await gateway(0, 400);
    try {
      const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
      await expect(client.send("Visa", message, {})).rejects.toThrow("HTTP 400");
      expect(g.bodies).toHaveLength(1);
      await expect(client.send("Amex", message, {})).rejects.toThrow(GatewayUnreachableError);
    } finally {
      await g.close();
    }
  });

  test("an answer the core rejects (damaged on the wire) is fetched again; the last one comes back when the budget is spent", async () => {
    const g = await gateway(0);
    try {
      const client = new HttpGatewayClient({ Visa: g.url }, { spacingMs: 0 });
      let checks = 0;
      const secondIsGood = async () => ++checks >= 2;
      expect(await client.send("Visa", message, { accept: secondIsGood })).toEqual(Uint8Array.of(0x30, 0x00));
      expect(g.bodies).toHaveLength(2);
      const never = async () => false;
      expect(await client.send("Visa", message, { accept: never })).toEqual(Uint8Array.of(0x30, 0x00));
      expect(g.bodies).toHaveLength(5);
      for (const b of g.bodies) expect(b.equals(Buffer.from(message))).toBe(true);
    } finally {
      await g.close();
    }
  });

  test("attempts are spaced: a gateway that comes back within the spacing gets the retry", async () => {
    // Nothing listens on the port at first; the gateway starts there after the first refusal.
    const probe = await gateway(0);
    const url = probe.url;
    await probe.close();
    const client = new HttpGatewayClient({ Visa: url }, { spacingMs: 1500 });
    const sending = client.send("Visa", message, {});
    await new Promise((r) => setTimeout(r, 200));
    const port = Number(new URL(url).port);
    const bodies: Buffer[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(200, { "content-type": SET_PAYMENT });
        res.end(Buffer.from([0x30, 0x00]));
      });
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    try {
      expect(await sending).toEqual(Uint8Array.of(0x30, 0x00));
      expect(bodies).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
