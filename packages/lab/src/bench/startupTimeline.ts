/**
 * Where the wall time of a short-lived process goes, from events stamped with performance.now()
 * (milliseconds since the process started): Node's own start-up (until the preload runs), module
 * loading (until the main module's top level has run), each HTTP request (undici's diagnostics
 * channels: created, response headers), each TCP connection (net's channel), child processes, and
 * exit. `phasesOf` turns one process's events into named phases; pure. The preload that records
 * them is startupTimelinePreload.ts. Events carry methods, paths and ports only, never bodies.
 */

export type TimelineEvent =
  | { readonly at: number; readonly kind: "preload" | "mainLoaded" | "exit" }
  | {
      readonly at: number;
      readonly kind: "httpStart" | "httpHeaders";
      readonly method: string;
      readonly path: string;
    }
  | { readonly at: number; readonly kind: "connect" | "connected" | "closed"; readonly port: number }
  | { readonly at: number; readonly kind: "spawn"; readonly script: string }
  | { readonly at: number; readonly kind: "childExit"; readonly script?: string };

export interface ProcessTimeline {
  readonly pid: number;
  /** The script the process ran (argv[1]'s last path parts) and its command (argv[2]). */
  readonly script: string;
  readonly command?: string;
  readonly events: readonly TimelineEvent[];
}

export interface Phase {
  readonly name: string;
  readonly ms: number;
}

type Http = Extract<TimelineEvent, { kind: "httpStart" | "httpHeaders" }>;
type Sock = Extract<TimelineEvent, { kind: "connect" | "connected" | "closed" }>;

/**
 * Consecutive phases of one process, from its start (0) to its exit. Which phases appear depends on
 * what the process did: the lab CLI shows the order and the mediator's run; the mediator shows the
 * card link and the two SET round trips to the merchant. Gaps between known events are named by
 * what happens in them in a SET purchase.
 */
export function phasesOf(t: ProcessTimeline, cardPort?: number): Phase[] {
  const first = <K extends TimelineEvent["kind"]>(kind: K, from = 0) =>
    t.events.find((e) => e.kind === kind && e.at >= from) as Extract<TimelineEvent, { kind: K }> | undefined;
  const marks: { at: number; name: string }[] = [];
  const mark = (e: { at: number } | undefined, name: string) => {
    if (e) marks.push({ at: e.at, name });
  };
  mark(first("preload"), "Node start-up");
  // The mark comes at the first turn of the event loop. A CLI whose command module loads in a
  // promise job and sends its first request in the same turn is past it by then: that request's
  // start ends the loading instead.
  const loaded = t.events.find((e) => e.kind === "mainLoaded");
  const firstIo = t.events.find((e) => e.kind === "httpStart" || e.kind === "connect" || e.kind === "spawn");
  const loadedLate = loaded !== undefined && firstIo !== undefined && firstIo.at < loaded.at;
  if (!loadedLate) mark(loaded, "module loading (the main module's top level)");
  // SET messages only: a lab CLI that runs the mediator in its own process also POSTs the order.
  const posts = t.events.filter(
    (e): e is Http => e.kind === "httpStart" && e.method === "POST" && e.path.endsWith("/set"),
  );
  const headers = (start: Http) =>
    t.events.find((e): e is Http => e.kind === "httpHeaders" && e.at >= start.at && e.path === start.path);
  const card = t.events.filter(
    (e): e is Sock => "port" in e && (cardPort === undefined || e.port === cardPort),
  );
  const cardConnect = card.find((e) => e.kind === "connect");
  // A separate mediator process; other children (the keyring's `keyctl` runs of an in-process
  // mediator) are part of whatever phase they fall in.
  const isMediator = (e: TimelineEvent) =>
    (e.kind === "spawn" || e.kind === "childExit") && e.script?.endsWith("mediator/dist/cli.js") === true;
  const spawn = t.events.find((e) => e.kind === "spawn" && isMediator(e));
  if (spawn) {
    // The lab CLI: the order and initiation, then the mediator's whole run, then the inspection calls.
    mark(spawn, "lab: command module, order at the shop");
    mark(
      t.events.find((e) => e.kind === "childExit" && isMediator(e)),
      "mediator process (all of it)",
    );
  } else if (cardConnect && posts.length >= 2) {
    const order = t.events.find(
      (e): e is Http => e.kind === "httpStart" && e.method === "POST" && e.path.endsWith("/orders"),
    );
    if (order)
      mark(order, loadedLate ? "module loading (the main module and its command's)" : "lab: command module");
    if (order) mark(headers(order), "order at the shop");
    // In the lab's own process the mediator's modules load only now, before its first request.
    mark(
      cardConnect,
      order ? "mediator: module loading, initiation object (GET)" : "initiation object (GET)",
    );
    mark(posts[0], "card link: connect, pairing, SELECT, PIN, PInitReq");
    mark(headers(posts[0]), "merchant: PInitReq -> PInitRes");
    mark(posts[1], "card: PInitRes checks, PReq (dual signature)");
    mark(headers(posts[1]), "merchant + gateway: PReq -> AuthReq/AuthRes -> PRes");
    mark(
      card.find((e) => e.kind === "closed" && e.at >= (posts[1]?.at ?? 0)),
      "card: PRes checks, link closed",
    );
  }
  mark(first("exit"), spawn ? "lab: inspection calls, output" : "output and exit");
  marks.sort((a, b) => a.at - b.at);
  const out: Phase[] = [];
  let prev = 0;
  for (const m of marks) {
    out.push({ name: m.name, ms: m.at - prev });
    prev = m.at;
  }
  return out;
}

export function formatPhases(label: string, phases: readonly Phase[]): string {
  const total = phases.reduce((s, p) => s + p.ms, 0);
  return `${label}: ${total.toFixed(0)} ms\n${phases.map((p) => `  ${p.ms.toFixed(1).padStart(8)} ms  ${p.name}`).join("\n")}\n`;
}
