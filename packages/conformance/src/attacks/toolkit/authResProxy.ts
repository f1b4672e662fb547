/**
 * A man in the middle between a merchant and its gateway: an HTTP server the merchant is
 * configured to use as its gateway. It forwards each AuthReq to the real gateway and records the
 * pair, or, once `substitute` is set, answers with those bytes instead (an AuthRes taken from
 * another transaction or another merchant, or one made for the AuthReq it sees) and forwards
 * nothing.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedExchange {
  readonly request: Uint8Array;
  readonly response: Uint8Array;
  readonly forwarded: boolean;
}

export interface AuthResProxy {
  /** The SET endpoint to give the merchant (`--gateway Visa=URL`). */
  readonly setUrl: string;
  readonly exchanges: ProxiedExchange[];
  /** When set, every AuthReq is answered with these bytes (or what the function makes of the AuthReq) and not forwarded. */
  substitute: Uint8Array | ((authReq: Uint8Array) => Promise<Uint8Array>) | undefined;
  close(): Promise<void>;
}

export async function startAuthResProxy(gatewaySetUrl: string): Promise<AuthResProxy> {
  const proxy: AuthResProxy = {
    setUrl: "",
    exchanges: [],
    substitute: undefined,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const request = new Uint8Array(Buffer.concat(chunks));
      try {
        let response: Uint8Array;
        const forwarded = proxy.substitute === undefined;
        if (typeof proxy.substitute === "function") response = await proxy.substitute(request);
        else if (proxy.substitute) response = proxy.substitute;
        else {
          const headers: Record<string, string> = {
            "content-type": String(req.headers["content-type"] ?? "application/set-payment"),
          };
          const runId = req.headers["x-setlab-run-id"];
          if (typeof runId === "string") headers["x-setlab-run-id"] = runId;
          const upstream = await fetch(gatewaySetUrl, {
            method: "POST",
            headers,
            body: Buffer.from(request),
            signal: AbortSignal.timeout(20_000),
          });
          response = new Uint8Array(await upstream.arrayBuffer());
        }
        proxy.exchanges.push({ request, response, forwarded });
        res.writeHead(200, { "content-type": "application/set-payment" });
        res.end(Buffer.from(response));
      } catch {
        res.writeHead(502);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    setUrl: `http://127.0.0.1:${port}/set`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
