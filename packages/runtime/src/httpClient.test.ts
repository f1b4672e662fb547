import { execFileSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as path from "node:path";
import { HttpClientError, httpRequest } from "./httpClient";

function listen(server: net.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const close = (server: net.Server) => new Promise((r) => server.close(r));

describe("httpRequest", () => {
  let server: http.Server;
  let base: string;
  const seen: { method?: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({ method: req.method, body: Buffer.concat(chunks).toString(), headers: req.headers });
        if (req.url === "/never") return; // no answer at all
        if (req.url === "/big-declared") {
          res.writeHead(200, { "content-length": "5000" });
          res.end("x".repeat(5000));
          return;
        }
        if (req.url === "/big-chunked") {
          res.writeHead(200, { "content-type": "text/plain" });
          for (let i = 0; i < 10; i++) res.write("y".repeat(1000));
          res.end();
          return;
        }
        res.writeHead(req.url === "/missing" ? 404 : 200, { "content-type": "Application/Set-Payment; x=1" });
        res.end(`echo:${Buffer.concat(chunks).toString()}`);
      });
    });
    base = await listen(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await close(server);
  });

  it("posts a body and returns status, media type and body", async () => {
    const res = await httpRequest(`${base}/x`, { method: "POST", headers: { "x-a": "1" }, body: "hello" });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/set-payment");
    expect(res.body.toString()).toBe("echo:hello");
    const last = seen[seen.length - 1];
    expect(last.method).toBe("POST");
    expect(last.headers["x-a"]).toBe("1");
    expect(last.headers["content-length"]).toBe("5");
  });

  it("returns other statuses as they are", async () => {
    expect((await httpRequest(`${base}/missing`)).status).toBe(404);
  });

  it("reuses one connection for calls in sequence", async () => {
    const sockets = new Set<net.Socket>();
    const onConnection = (s: net.Socket) => sockets.add(s);
    server.on("connection", onConnection);
    for (let i = 0; i < 5; i++) await httpRequest(`${base}/x`);
    server.off("connection", onConnection);
    expect(sockets.size).toBeLessThanOrEqual(1);
  });

  it("gives up at the deadline with a timeout", async () => {
    const e = await httpRequest(`${base}/never`, { timeoutMs: 100 }).catch((x) => x);
    expect(e).toBeInstanceOf(HttpClientError);
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/within 100 ms/);
  });

  it("refuses a response whose declared length is over the limit, before reading it", async () => {
    const e = await httpRequest(`${base}/big-declared`, { maxResponseBytes: 1000 }).catch((x) => x);
    expect(e.kind).toBe("tooLarge");
    expect(e.message).toMatch(/5000 bytes, over 1000/);
  });

  it("refuses a streamed response once it passes the limit", async () => {
    const e = await httpRequest(`${base}/big-chunked`, { maxResponseBytes: 2500 }).catch((x) => x);
    expect(e.kind).toBe("tooLarge");
    expect(e.message).toMatch(/over 2500 bytes/);
  });

  it("says a refused connection was refused", async () => {
    const probe = net.createServer();
    const url = await listen(probe);
    await close(probe);
    const e = await httpRequest(`${url}/x`).catch((x) => x);
    expect(e.kind).toBe("unreachable");
    expect(e.refused).toBe(true);
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it("refuses what is not an http(s) URL", async () => {
    await expect(httpRequest("ftp://127.0.0.1/x")).rejects.toMatchObject({ kind: "badUrl" });
    await expect(httpRequest("not a url")).rejects.toMatchObject({ kind: "badUrl" });
  });
});

describe("httpRequest on a kept-alive connection the server dropped", () => {
  // Each connection answers its first request and resets on its second, as a server does that
  // closed an idle connection just as the client reused it.
  const answer =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
  let connections = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    let requests = 0;
    let pending = "";
    socket.on("data", (d) => {
      pending += d.toString("latin1");
      while (pending.includes("\r\n\r\n")) {
        pending = pending.slice(pending.indexOf("\r\n\r\n") + 4);
        requests++;
        if (requests === 1) socket.write(answer);
        else socket.resetAndDestroy();
      }
    });
    socket.on("error", () => {});
  });
  let base: string;
  beforeAll(async () => {
    base = await listen(server);
  });
  afterAll(async () => {
    for (const s of open) s.destroy();
    await close(server);
  });

  it("does not send a POST again: the caller decides", async () => {
    expect((await httpRequest(`${base}/p`)).body.toString()).toBe("ok");
    const before = connections;
    const e = await httpRequest(`${base}/p`, { method: "POST", body: "x" }).catch((x) => x);
    expect(e).toBeInstanceOf(HttpClientError);
    expect(e.kind).toBe("unreachable");
    expect(connections).toBe(before);
  });

  it("sends a GET again on a new connection", async () => {
    expect((await httpRequest(`${base}/a`)).body.toString()).toBe("ok");
    const before = connections;
    expect((await httpRequest(`${base}/b`)).body.toString()).toBe("ok");
    expect(connections).toBe(before + 1);
  });
});

describe("httpRequest to an https URL", () => {
  it("speaks TLS: the server's first byte is a handshake record, and a peer that is not TLS is unreachable", async () => {
    const firstBytes: Buffer[] = [];
    const server = net.createServer((socket) => {
      socket.once("data", (chunk: Buffer) => {
        firstBytes.push(chunk);
        socket.destroy();
      });
    });
    const base = (await listen(server)).replace("http:", "https:");
    try {
      const failure = await httpRequest(`${base}/x`, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(HttpClientError);
      expect((failure as HttpClientError).kind).toBe("unreachable");
      // 0x16: a TLS handshake record (the ClientHello), not "GET /x HTTP/1.1"
      expect(firstBytes[0]?.[0]).toBe(0x16);
    } finally {
      await close(server);
    }
  });

  it("the built client entry loads node:https only for its first https request", () => {
    const client = path.resolve(__dirname, "../dist/client.js");
    const script = `
      const client = require(${JSON.stringify(client)});
      const loaded = () => process.moduleLoadList.includes("NativeModule https");
      const before = loaded();
      client.httpRequest("https://127.0.0.1:9/", { timeoutMs: 1000 }).catch(() => {
        console.log(JSON.stringify({ before, after: loaded() }));
      });`;
    const out = execFileSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(JSON.parse(out)).toEqual({ before: false, after: true });
  });
});
