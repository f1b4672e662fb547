/**
 * `node -r .../startupTimelinePreload.js` (through NODE_OPTIONS, so the mediator the lab CLI
 * starts records too): the events startupTimeline.ts names phases from, written at exit as
 * SETLAB_TIMELINE_DIR/<pid>.json (mode 0600). Only timestamps, methods, paths and ports.
 */
import * as diagnostics from "node:diagnostics_channel";
import * as fs from "node:fs";
import type * as net from "node:net";
import * as path from "node:path";
import type { ProcessTimeline, TimelineEvent } from "./startupTimeline";

// The module object itself (an ES namespace import is a read-only copy): spawn is wrapped on it.
const childProcess: typeof import("node:child_process") = require("node:child_process");

const dir = process.env.SETLAB_TIMELINE_DIR;
if (dir) {
  const events: TimelineEvent[] = [];
  const now = () => performance.now();
  events.push({ at: now(), kind: "preload" });
  // Runs once the main module's top level (its synchronous requires) has run.
  setImmediate(() => events.push({ at: now(), kind: "mainLoaded" }));

  // A request's start and its answer's headers, from a client's two channels; both carry the request.
  type RequestMessage = { request: { method: string; path: string } };
  const requests = (start: string, headers: string) => {
    for (const [channel, kind] of [
      [start, "httpStart"],
      [headers, "httpHeaders"],
    ] as const)
      diagnostics.subscribe(channel, (m) => {
        const r = (m as RequestMessage).request;
        events.push({ at: now(), kind, method: r.method, path: r.path.split("?")[0] });
      });
  };
  // node:http's client, which the parties' and the mediator's requests go through (runtime's
  // httpRequest), and undici's (`fetch`).
  requests("http.client.request.start", "http.client.response.finish");
  requests("undici:request:create", "undici:request:headers");
  diagnostics.subscribe("net.client.socket", (m) => {
    const socket = (m as { socket: net.Socket }).socket;
    const at = now();
    socket.once("connect", () => {
      const port = socket.remotePort ?? 0;
      events.push({ at, kind: "connect", port }, { at: now(), kind: "connected", port });
      socket.once("close", () => events.push({ at: now(), kind: "closed", port }));
    });
  });

  const spawn = childProcess.spawn;
  childProcess.spawn = ((...args: Parameters<typeof spawn>) => {
    const script = String((args[1] as readonly string[] | undefined)?.[0] ?? args[0]);
    const named = script.split(path.sep).slice(-3).join("/");
    events.push({ at: now(), kind: "spawn", script: named });
    const child = spawn(...args);
    child.once("exit", () => events.push({ at: now(), kind: "childExit", script: named }));
    return child;
  }) as typeof spawn;

  process.once("exit", () => {
    events.push({ at: now(), kind: "exit" });
    const timeline: ProcessTimeline = {
      pid: process.pid,
      script: (process.argv[1] ?? "").split(path.sep).slice(-3).join("/"),
      ...(process.argv[2] ? { command: process.argv[2] } : {}),
      events,
    };
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(timeline), { mode: 0o600 });
    } catch {
      // a measurement never breaks the process it measures
    }
  });
}
