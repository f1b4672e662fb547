/**
 * The phone's card link: a TCP server speaking length-prefixed frames (protocol card codec), one
 * card session per connection. A frame over 1 MiB is answered 6700 and the connection closed;
 * nothing a peer sends ends the process.
 */
import * as net from "node:net";
import { CardLinkError, encodeFrame, encodeResponse, FrameReader, SW } from "@setlab/protocol";
import type { Logger } from "@setlab/runtime";
import type { CardApplet } from "../card/applet";

export interface CardLinkServer {
  readonly server: net.Server;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export function startCardLinkServer(
  applet: CardApplet,
  options: { host?: string; port?: number; logger?: Logger } = {},
): Promise<CardLinkServer> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger;
  const sockets = new Set<net.Socket>();
  let nextSession = 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const session = applet.openSession();
    const id = nextSession++;
    const reader = new FrameReader();
    let chain: Promise<void> = Promise.resolve();
    log?.info({ session: id }, "card session opened");
    socket.on("data", (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = reader.push(new Uint8Array(chunk));
      } catch (e) {
        const sw = e instanceof CardLinkError ? e.sw : SW.BAD_LENGTH;
        log?.warn({ session: id }, "oversize frame: connection closed");
        chain = chain.then(() => {
          socket.end(encodeFrame(encodeResponse({ sw })));
        });
        return;
      }
      for (const frame of frames) {
        chain = chain.then(async () => {
          const response = await session.transmit(frame);
          if (!socket.destroyed && socket.writable) socket.write(encodeFrame(response));
        });
      }
    });
    socket.on("end", () => {
      if (reader.pending > 0)
        log?.warn({ session: id, pending: reader.pending }, "connection ended inside a frame");
      chain = chain.then(() => {
        socket.end();
      });
    });
    socket.on("error", (e) =>
      log?.warn({ session: id, err: (e as NodeJS.ErrnoException).code }, "socket error"),
    );
    socket.on("close", () => {
      sockets.delete(socket);
      log?.info({ session: id }, "card session closed");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      server.on("error", (e) => log?.error({ err: (e as Error).message }, "server error"));
      const address = server.address() as net.AddressInfo;
      resolve({
        server,
        host,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
