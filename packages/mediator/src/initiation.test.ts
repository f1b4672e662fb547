import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { InitiationError, maxInitiationBytes } from "@setlab/protocol";
import { sampleInitiation as valid } from "@setlab/protocol/testing";
import { loadInitiation } from "./initiation";

describe("loadInitiation from a URL", () => {
  let server: http.Server;
  let base: string;
  const routes: Record<string, (res: http.ServerResponse) => void> = {
    "/ok": (res) => {
      res.writeHead(200, { "content-type": "application/set-payment-initiation; charset=utf-8" });
      res.end(JSON.stringify(valid));
    },
    "/json": (res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(valid));
    },
    "/missing": (res) => {
      res.writeHead(404, { "content-type": "application/set-payment-initiation" });
      res.end("{}");
    },
    "/declared-big": (res) => {
      res.writeHead(200, {
        "content-type": "application/set-payment-initiation",
        "content-length": String(maxInitiationBytes + 1),
      });
      res.end("x".repeat(maxInitiationBytes + 1));
    },
    "/streamed-big": (res) => {
      // Chunked: no content-length, so the limit must hold while reading.
      res.writeHead(200, { "content-type": "application/set-payment-initiation" });
      for (let i = 0; i < 80; i++) res.write("x".repeat(1024));
      res.end();
    },
    "/bad": (res) => {
      res.writeHead(200, { "content-type": "application/set-payment-initiation" });
      res.end(JSON.stringify({ ...valid, profile: "fast" }));
    },
    "/silent": () => {
      // Never answers: the mediator's timeout must end the wait.
    },
    "/redirect": (res) => {
      res.writeHead(302, { location: "/ok" });
      res.end();
    },
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const route = routes[req.url ?? ""];
      if (route) route(res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("reads a served initiation object", async () => {
    expect(await loadInitiation(`${base}/ok`)).toEqual(valid);
  });

  test("another content type is refused", async () => {
    await expect(loadInitiation(`${base}/json`)).rejects.toThrow(
      /content type "application\/json", not application\/set-payment-initiation/,
    );
  });

  test("an HTTP status other than 200 is refused, redirects too", async () => {
    await expect(loadInitiation(`${base}/missing`)).rejects.toThrow(/answered HTTP 404/);
    await expect(loadInitiation(`${base}/redirect`)).rejects.toThrow(InitiationError);
  });

  test("over 64 KiB is refused, declared or streamed", async () => {
    await expect(loadInitiation(`${base}/declared-big`)).rejects.toThrow(/over 65536 bytes/);
    await expect(loadInitiation(`${base}/streamed-big`)).rejects.toThrow(/over 65536 bytes/);
  });

  test("a served object is checked like any other", async () => {
    await expect(loadInitiation(`${base}/bad`)).rejects.toThrow(/profile/);
  });

  test("a server that never answers ends in a timeout error", async () => {
    await expect(loadInitiation(`${base}/silent`, { timeoutMs: 200 })).rejects.toThrow(
      /no initiation object from .* within 200 ms/,
    );
  });

  test("an unreachable server is a clear error", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(loadInitiation(`http://127.0.0.1:${port}/x`)).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
  });
});

describe("loadInitiation from a file", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-initiation-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("reads a file", async () => {
    const file = path.join(dir, "ok.json");
    fs.writeFileSync(file, JSON.stringify(valid));
    expect(await loadInitiation(file)).toEqual(valid);
  });

  test("a missing file, a directory, an oversize or bad file are refused", async () => {
    await expect(loadInitiation(path.join(dir, "none.json"))).rejects.toThrow(/cannot read .*ENOENT/);
    await expect(loadInitiation(dir)).rejects.toThrow(/not a regular file/);
    const big = path.join(dir, "big.json");
    fs.writeFileSync(big, " ".repeat(maxInitiationBytes + 1));
    await expect(loadInitiation(big)).rejects.toThrow(/over 65536 bytes/);
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, "{");
    await expect(loadInitiation(bad)).rejects.toThrow(/not JSON/);
  });
});
