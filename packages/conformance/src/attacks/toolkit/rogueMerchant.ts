/**
 * A rogue merchant: a small HTTP server the adversary runs, holding a real merchant's keys from
 * the lab PKI. It serves its own initiation object (so the real mediator talks to it) and answers
 * `POST /set` with whatever the attack builds, recording every message it receives.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type Initiation, initiationFormat, writeInitiation } from "@setlab/protocol";
import type { PurchAmt } from "./labHttp";

export type RogueHandler = (body: Uint8Array) => Promise<Uint8Array>;

export interface RogueMerchant {
  readonly url: string;
  readonly initiationUrl: string;
  /** Every body POSTed to /set, in order. */
  readonly received: Uint8Array[];
  close(): Promise<void>;
}

export interface RogueInitiation {
  readonly lidM: string;
  readonly purchAmt: PurchAmt;
  readonly description: string;
  readonly profile?: "set" | "hardened";
  readonly brands?: readonly string[];
}

export async function startRogueMerchant(
  initiation: RogueInitiation,
  handler: RogueHandler,
): Promise<RogueMerchant> {
  const received: Uint8Array[] = [];
  let base = "";
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/initiation") {
        const body: Initiation = {
          format: initiationFormat,
          setUrl: `${base}/set`,
          brands: initiation.brands ?? ["Visa"],
          lidM: initiation.lidM,
          purchAmt: initiation.purchAmt,
          od: Buffer.from(initiation.description, "utf8").toString("base64"),
          language: "en",
          profile: initiation.profile ?? "set",
          unsignedAllowed: [],
        };
        res.writeHead(200, { "content-type": "application/set-payment-initiation" });
        res.end(writeInitiation(body));
        return;
      }
      if (req.method === "POST" && req.url === "/set") {
        const body = new Uint8Array(Buffer.concat(chunks));
        received.push(body);
        handler(body).then(
          (answer) => {
            res.writeHead(200, { "content-type": "application/set-payment" });
            res.end(Buffer.from(answer));
          },
          () => {
            res.writeHead(200, { "content-type": "application/set-payment" });
            res.end();
          },
        );
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    initiationUrl: `${base}/initiation`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
