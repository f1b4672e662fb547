import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SET_PAYMENT } from "@setlab/runtime";
import { GatewayUnreachableError } from "./core/gatewayClient";
import { HttpGatewayClient } from "./httpGatewayClient";

/** A real HTTP gateway stand-in: drops the first `drops` connections, then answers with `status`. */
async function gateway(drops: number, status = 200) {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks));
      if (bodies.length <= drops) {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { "content-type": SET_PAYMENT });
      res.end(Buffer.from([0x30, 0x00]));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/set`;
  return { url, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const message = Uint8Array.of(0x30, 0x03, 2, 1, 7);

describe("HttpGatewayClient", () => {
  test("a dropped connection is retried with the same bytes (up to 2 more times)", async () => {
    const g = await gateway(2);
    try {
      const client = new HttpGatewayClient({ Visa: g.url });
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
      const client = new HttpGatewayClient({ Visa: g.url });
      await expect(client.send("Visa", message, {})).rejects.toThrow(GatewayUnreachableError);
      expect(g.bodies).toHaveLength(3);
    } finally {
      await g.close();
    }
  });

  test("an HTTP failure is not retried; an unknown gateway id fails at once", async () => {
    const g = await gateway(0, 500);
    try {
      const client = new HttpGatewayClient({ Visa: g.url });
      await expect(client.send("Visa", message, {})).rejects.toThrow("HTTP 500");
      expect(g.bodies).toHaveLength(1);
      await expect(client.send("Amex", message, {})).rejects.toThrow(GatewayUnreachableError);
    } finally {
      await g.close();
    }
  });
});
