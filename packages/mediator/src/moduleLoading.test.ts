/**
 * The mediator starts for every checkout, so what it loads is on the buyer's wait: it takes the
 * protocol through `@setlab/protocol/relay` and `/card-link` and the runtime through
 * `@setlab/runtime/client`, never through their roots, which load the merchant's and gateway's
 * message handlers, the servers and the store (docs/performance.md). Checked on the source, and on
 * the built modules in a child process: loading the mediator's entry points leaves both roots and
 * the protocol's message index unloaded.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const sources = fs
  .readdirSync(__dirname, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && !f.includes(".test.") && !f.includes("test-helper"))
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(__dirname, f), "utf8") }));

/** The package roots a module imports from (type-only imports too: one rule is easier to keep). */
export function rootImports(source: string): string[] {
  return [...source.matchAll(/from\s+"(@setlab\/(?:protocol|runtime))"/g)].map((m) => m[1]);
}

describe("the mediator loads the protocol and the runtime through their lean entry points", () => {
  test("the check finds a root import", () => {
    expect(rootImports(`import { x } from "@setlab/protocol";`)).toEqual(["@setlab/protocol"]);
    expect(rootImports(`import type { L } from "@setlab/runtime";`)).toEqual(["@setlab/runtime"]);
    expect(rootImports(`import { x } from "@setlab/protocol/relay";`)).toEqual([]);
  });

  test("no module of the mediator imports @setlab/protocol or @setlab/runtime by its root", () => {
    expect(sources.length).toBeGreaterThan(20);
    const offenders = sources.filter((s) => rootImports(s.text).length > 0).map((s) => s.file);
    expect(offenders).toEqual([]);
  });

  const dist = path.join(__dirname, "../dist");
  const built = fs.existsSync(path.join(dist, "cli.js"));
  (built ? test : test.skip)("the built mediator leaves both roots unloaded", () => {
    const script = `
      require(${JSON.stringify(path.join(dist, "index.js"))});
      require(${JSON.stringify(path.join(dist, "cli.js"))});
      const loaded = Object.keys(require.cache).map((f) => f.split(require("path").sep).join("/"));
      process.stdout.write(JSON.stringify(loaded.filter((f) => f.includes("/packages/"))));
    `;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }),
    ) as string[];
    expect(loaded.some((f) => f.endsWith("/protocol/dist/relay.js"))).toBe(true);
    expect(loaded.some((f) => f.endsWith("/mediator/dist/mediator.js"))).toBe(true);
    for (const root of [
      "/protocol/dist/index.js",
      "/protocol/dist/messages/index.js",
      "/runtime/dist/index.js",
    ])
      expect(loaded.filter((f) => f.endsWith(root))).toEqual([]);
  });
});
