import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { decodeDer, oid } from "@setlab/protocol";
import { type AttackRates, startAttackTraffic } from "./attackTraffic";
import { oidBomb } from "./oidBomb";
import { holdSlowBody, holdSlowHeaders } from "./slowBody";

/** A SET endpoint stand-in: counts the bodies it read, cuts a request that takes over `requestTimeoutMs`. */
async function endpoint(requestTimeoutMs = 60_000) {
  const bodies: number[] = [];
  const server = http.createServer(
    { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 50 },
    (req, res) => {
      let n = 0;
      req.on("data", (d: Buffer) => {
        n += d.length;
      });
      req.on("end", () => {
        bodies.push(n);
        res.end("refused");
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/set`;
  return { url, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A phone stand-in: closes every connection after its first bytes, counting them. */
async function phone() {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.on("error", () => {});
    s.once("data", () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    address: { host: "127.0.0.1", port: (server.address() as AddressInfo).port },
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
};

describe("oidBomb", () => {
  it("is one SEQUENCE holding one OBJECT IDENTIFIER of one-byte arcs, under 256 KiB", () => {
    const bomb = oidBomb();
    expect(bomb.length).toBeLessThanOrEqual(256 * 1024);
    expect(bomb.length).toBeGreaterThan(256 * 1024 - 32);
    expect([bomb[0], bomb[1]]).toEqual([0x30, 0x83]);
    const inner = bomb.subarray(5);
    expect([inner[0], inner[1]]).toEqual([0x06, 0x83]);
    const length = (inner[2] << 16) | (inner[3] << 8) | inner[4];
    expect(5 + length).toBe(inner.length);
    expect(inner.subarray(5).every((b) => b === 0x01)).toBe(true);
    // The strict reader refuses it (issue 12 item 8) instead of building ~260 000 arcs.
    expect(() => decodeDer(oid(), inner)).toThrow();
  });
});

describe("holdSlowBody", () => {
  it("holds the connection until the party cuts the request, and says so", async () => {
    const e = await endpoint(300);
    try {
      const end = await holdSlowBody(
        e.url,
        { announce: 100_000, chunk: 10, everyMs: 50 },
        new AbortController().signal,
      );
      expect(end.closedBy).toBe("party");
      expect(end.status).toMatch(/^HTTP\/1\.1 408/);
      expect(end.bytesSent).toBeLessThan(100_000);
      expect(e.bodies).toEqual([]);
    } finally {
      await e.close();
    }
  });

  it("lets go when told to", async () => {
    const e = await endpoint();
    try {
      const stop = new AbortController();
      const holding = holdSlowBody(e.url, { announce: 100_000, chunk: 10, everyMs: 20 }, stop.signal);
      stop.abort();
      expect((await holding).closedBy).toBe("sender");
    } finally {
      await e.close();
    }
  });
});

describe("holdSlowHeaders", () => {
  it("drips a header block that never ends until the party cuts it off, and lets go when told to", async () => {
    const e = await endpoint(300);
    try {
      const end = await holdSlowHeaders(e.url, 50, new AbortController().signal);
      expect(end.closedBy).toBe("party");
      expect(end.status).toMatch(/^HTTP\/1\.1 408/);
      expect(end.bytesSent).toBeGreaterThan(0);
      expect(e.bodies).toEqual([]);
      const stop = new AbortController();
      const holding = holdSlowHeaders(e.url, 20, stop.signal);
      stop.abort();
      expect((await holding).closedBy).toBe("sender");
    } finally {
      await e.close();
    }
  });
});

describe("startAttackTraffic", () => {
  it("sends every kind to its target and reports what it sent", async () => {
    const [merchant, gateway, ph] = await Promise.all([endpoint(), endpoint(), phone()]);
    const rates: AttackRates = {
      bombsPerSecond: 20,
      slowBodiesHeld: 2,
      slowBody: { announce: 1000, chunk: 10, everyMs: 10 },
      hellosPerSecond: 20,
      wrongCodesPerSecond: 20,
      maxInFlight: 4,
    };
    const running = startAttackTraffic(
      { merchantSet: merchant.url, gatewaySet: gateway.url, phone: ph.address, pairingCode: "123456" },
      rates,
    );
    try {
      // Bombs reach both parties whole; slow bodies finish (1000 B) and are counted as bodies too.
      await until(
        () =>
          merchant.bodies.includes(oidBomb().length) &&
          gateway.bodies.includes(oidBomb().length) &&
          merchant.bodies.includes(1000) &&
          ph.connections() >= 4,
      );
    } finally {
      const report = await running.stop();
      await Promise.all([merchant.close(), gateway.close(), ph.close()]);
      expect(report.rates).toEqual(rates);
      expect(report.bombs.sent).toBeGreaterThanOrEqual(2);
      expect(report.bombs.outcomes["HTTP 200"]).toBeGreaterThanOrEqual(2);
      expect(report.slowBodies.sent).toBeGreaterThanOrEqual(1);
      expect(report.hellos.sent).toBeGreaterThanOrEqual(1);
      expect(report.wrongCodes.sent).toBeGreaterThanOrEqual(1);
      expect(Object.keys(report.wrongCodes.outcomes)).not.toContain("paired");
    }
  });
});
