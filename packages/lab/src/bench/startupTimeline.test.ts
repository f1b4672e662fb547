import { formatPhases, type ProcessTimeline, phasesOf, type TimelineEvent } from "./startupTimeline";

const mediator: ProcessTimeline = {
  pid: 2,
  script: "mediator/dist/cli.js",
  command: "purchase",
  events: [
    { at: 40, kind: "preload" },
    { at: 150, kind: "mainLoaded" },
    { at: 152, kind: "httpStart", method: "GET", path: "/orders/1/initiation" },
    { at: 160, kind: "httpHeaders", method: "GET", path: "/orders/1/initiation" },
    // the merchant's own connection, then the card link's
    { at: 152, kind: "connect", port: 8000 },
    { at: 153, kind: "connected", port: 8000 },
    { at: 165, kind: "connect", port: 9000 },
    { at: 166, kind: "connected", port: 9000 },
    { at: 250, kind: "httpStart", method: "POST", path: "/set" },
    { at: 270, kind: "httpHeaders", method: "POST", path: "/set" },
    { at: 330, kind: "httpStart", method: "POST", path: "/set" },
    { at: 400, kind: "httpHeaders", method: "POST", path: "/set" },
    { at: 420, kind: "closed", port: 9000 },
    { at: 421, kind: "exit" },
  ],
};

describe("phasesOf", () => {
  it("splits a mediator run into start-up, loading, the card link and the two SET round trips", () => {
    expect(phasesOf(mediator, 9000)).toEqual([
      { name: "Node start-up", ms: 40 },
      { name: "module loading (the main module's top level)", ms: 110 },
      { name: "initiation object (GET)", ms: 15 },
      { name: "card link: connect, pairing, SELECT, PIN, PInitReq", ms: 85 },
      { name: "merchant: PInitReq -> PInitRes", ms: 20 },
      { name: "card: PInitRes checks, PReq (dual signature)", ms: 60 },
      { name: "merchant + gateway: PReq -> AuthReq/AuthRes -> PRes", ms: 70 },
      { name: "card: PRes checks, link closed", ms: 20 },
      { name: "output and exit", ms: 1 },
    ]);
  });

  it("adds up to the process's life", () => {
    expect(phasesOf(mediator, 9000).reduce((s, p) => s + p.ms, 0)).toBe(421);
  });

  it("shows the lab CLI's own part and the mediator's run as one phase", () => {
    const lab: ProcessTimeline = {
      pid: 1,
      script: "lab/dist/cli.js",
      events: [
        { at: 50, kind: "preload" },
        { at: 90, kind: "mainLoaded" },
        { at: 120, kind: "spawn", script: "mediator/dist/cli.js" },
        { at: 130, kind: "spawn", script: "search" },
        { at: 140, kind: "childExit", script: "search" },
        { at: 600, kind: "childExit", script: "mediator/dist/cli.js" },
        { at: 630, kind: "exit" },
      ],
    };
    expect(phasesOf(lab).map((p) => [p.name, p.ms])).toEqual([
      ["Node start-up", 50],
      ["module loading (the main module's top level)", 40],
      ["lab: command module, order at the shop", 30],
      ["mediator process (all of it)", 480],
      ["lab: inspection calls, output", 30],
    ]);
  });

  it("splits a lab CLI that runs the mediator in its own process: the order POST is not a SET message", () => {
    const inProcess: ProcessTimeline = {
      pid: 3,
      script: "lab/dist/cli.js",
      command: "purchase",
      events: (
        [
          { at: 40, kind: "preload" },
          { at: 80, kind: "mainLoaded" },
          { at: 100, kind: "httpStart", method: "POST", path: "/orders" },
          { at: 110, kind: "httpHeaders", method: "POST", path: "/orders" },
          ...mediator.events.filter((e) => e.kind !== "preload" && e.kind !== "mainLoaded"),
          // The kept bond read from the keyring (`keyctl`) while the initiation loads.
          { at: 115, kind: "spawn", script: "search" },
          { at: 125, kind: "childExit", script: "search" },
        ] satisfies TimelineEvent[]
      ).sort((a, b) => a.at - b.at),
    };
    expect(phasesOf(inProcess, 9000).map((p) => [p.name, p.ms])).toEqual([
      ["Node start-up", 40],
      ["module loading (the main module's top level)", 40],
      ["lab: command module", 20],
      ["order at the shop", 10],
      ["mediator: module loading, initiation object (GET)", 55],
      ["card link: connect, pairing, SELECT, PIN, PInitReq", 85],
      ["merchant: PInitReq -> PInitRes", 20],
      ["card: PInitRes checks, PReq (dual signature)", 60],
      ["merchant + gateway: PReq -> AuthReq/AuthRes -> PRes", 70],
      ["card: PRes checks, link closed", 20],
      ["output and exit", 1],
    ]);
  });

  it("a lab CLI that loads its command and sends the order before the loop's first turn: one loading phase", () => {
    const early: ProcessTimeline = {
      pid: 4,
      script: "lab/dist/cli.js",
      command: "purchase",
      events: [
        { at: 40, kind: "preload" },
        { at: 100, kind: "httpStart", method: "POST", path: "/orders" },
        { at: 102, kind: "mainLoaded" },
        { at: 110, kind: "httpHeaders", method: "POST", path: "/orders" },
        ...mediator.events.filter((e) => e.kind !== "preload" && e.kind !== "mainLoaded"),
      ],
    };
    const phases = phasesOf(early, 9000).map((p) => [p.name, p.ms]);
    expect(phases.slice(0, 3)).toEqual([
      ["Node start-up", 40],
      ["module loading (the main module and its command's)", 60],
      ["order at the shop", 10],
    ]);
    expect(phases.map(([name]) => name)).not.toContain("module loading (the main module's top level)");
  });

  it("keeps only what it can name when a run stopped early (no SET round trip)", () => {
    const refused: ProcessTimeline = {
      ...mediator,
      events: mediator.events.filter((e) => e.kind !== "httpStart" || e.method !== "POST"),
    };
    expect(phasesOf(refused, 9000).map((p) => p.name)).toEqual([
      "Node start-up",
      "module loading (the main module's top level)",
      "output and exit",
    ]);
  });

  it("prints the total and each phase", () => {
    expect(formatPhases("mediator", phasesOf(mediator, 9000))).toMatch(
      /^mediator: 421 ms\n\s+40\.0 ms {2}Node start-up\n/,
    );
  });
});
