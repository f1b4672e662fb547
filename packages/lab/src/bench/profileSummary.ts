/**
 * Where a process's CPU went, from the `.cpuprofile` that `node --cpu-prof` writes at exit: self time
 * per function (the samples whose top frame is that function) and per module (npm package, Node
 * internal area, or our package's source folder). Pure: the caller reads the file.
 */

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based, as V8 reports it. */
  readonly lineNumber: number;
  readonly columnNumber: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** The DevTools CPU profile format (`Profiler.Profile`); times in microseconds. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  /** Node id of each sample, in time order. */
  readonly samples?: readonly number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  readonly timeDeltas?: readonly number[];
}

export interface SelfTime {
  /** Function name, "(anonymous)" when V8 has none. */
  readonly name: string;
  /**
   * Short `module/path:line` (1-based); for a native function (no script), `native <- ` and its
   * caller, since names like `run` or `verify` say little alone; empty for V8's own entries.
   */
  readonly location: string;
  readonly ms: number;
  /** Fraction of the busy (non-idle) time. */
  readonly share: number;
}

export interface ModuleTime {
  readonly module: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Wall time the profile covers. */
  readonly totalMs: number;
  /** Time the event loop waited with nothing to run. */
  readonly idleMs: number;
  /** totalMs - idleMs: what the process spent running JavaScript, native code, GC and V8. */
  readonly busyMs: number;
  readonly top: readonly SelfTime[];
  readonly modules: readonly ModuleTime[];
}

const idleName = "(idle)";

/**
 * Microseconds each node was on top of the stack. A sample stands for the time until the next one
 * (how DevTools draws it); the last one for the time to the profile's end. A profile without
 * sample timestamps falls back to hitCount times the mean interval.
 */
export function selfMicros(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const add = (id: number, us: number) => self.set(id, (self.get(id) ?? 0) + us);
  const { samples, timeDeltas } = profile;
  if (samples && timeDeltas && samples.length > 0 && samples.length === timeDeltas.length) {
    let t = profile.startTime;
    const at = timeDeltas.map((d) => {
      t += d;
      return t;
    });
    for (let i = 0; i < samples.length; i++) {
      const next = i + 1 < samples.length ? at[i + 1] : Math.max(profile.endTime, at[i]);
      add(samples[i], Math.max(0, next - at[i]));
    }
    return self;
  }
  const hits = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const interval = hits === 0 ? 0 : (profile.endTime - profile.startTime) / hits;
  for (const n of profile.nodes) if (n.hitCount) add(n.id, n.hitCount * interval);
  return self;
}

/** The module a script URL belongs to: an npm package, a Node internal area, or `@setlab/<pkg>/<folder>`. */
export function moduleOf(url: string): string {
  if (url === "") return "(V8 and native)";
  if (url.startsWith("node:")) {
    const parts = url.slice(5).split("/");
    return `node:${parts[0] === "internal" && parts.length > 2 ? `internal/${parts[1]}` : parts[0]}`;
  }
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const parts = path.slice(nm + "/node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const ours = /\/packages\/([^/]+)\/(?:dist|src)\/(?:([^/]+)\/)?/.exec(path);
  if (ours) return `@setlab/${ours[1]}${ours[2] ? `/${ours[2]}` : ""}`;
  return path;
}

/** A URL shortened to what identifies it: from the package name on. */
export function shortLocation(url: string, lineNumber: number): string {
  if (url === "") return "";
  let path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("/node_modules/");
  if (nm >= 0) path = path.slice(nm + "/node_modules/".length);
  else {
    const pk = path.lastIndexOf("/packages/");
    if (pk >= 0) path = path.slice(pk + "/packages/".length);
  }
  return `${path}:${lineNumber + 1}`;
}

export function summarizeProfile(profile: CpuProfile, topN = 10): ProfileSummary {
  const self = selfMicros(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const functions = new Map<string, { name: string; location: string; us: number }>();
  const modules = new Map<string, number>();
  let idle = 0;
  let counted = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    counted += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === idleName) {
      idle += us;
      continue;
    }
    let location = shortLocation(url, lineNumber);
    if (url === "" && !/^\(.*\)$/.test(functionName)) {
      const caller = parentOf.get(id)?.callFrame;
      location = caller
        ? `native <- ${caller.functionName || "(anonymous)"} ${shortLocation(caller.url, caller.lineNumber)}`.trim()
        : "native";
    }
    const key = `${functionName}\u0000${location}`;
    const f = functions.get(key) ?? { name: functionName || "(anonymous)", location, us: 0 };
    f.us += us;
    functions.set(key, f);
    const m = moduleOf(url);
    modules.set(m, (modules.get(m) ?? 0) + us);
  }
  const totalUs = Math.max(profile.endTime - profile.startTime, counted);
  const busyUs = counted - idle;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    totalMs: totalUs / 1000,
    idleMs: idle / 1000,
    busyMs: busyUs / 1000,
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ name: f.name, location: f.location, ms: f.us / 1000, share: share(f.us) })),
    modules: [...modules]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([module, us]) => ({ module, ms: us / 1000, share: share(us) })),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

/** A plain-text table of one party's summary. */
export function formatProfileSummary(party: string, s: ProfileSummary): string {
  const out = [
    `${party}: ${s.busyMs.toFixed(0)} ms busy of ${s.totalMs.toFixed(0)} ms profiled (idle ${s.idleMs.toFixed(0)} ms)`,
    "  self ms   share  function                                  location",
  ];
  for (const f of s.top)
    out.push(
      `  ${f.ms.toFixed(1).padStart(7)}  ${pct(f.share)}  ${f.name.slice(0, 40).padEnd(40)}  ${f.location}`,
    );
  out.push("  by module:");
  for (const m of s.modules) out.push(`  ${m.ms.toFixed(1).padStart(7)}  ${pct(m.share)}  ${m.module}`);
  return `${out.join("\n")}\n`;
}

/** The pid in a `node --cpu-prof` file name (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`). */
export function pidOfProfileFile(name: string): number | undefined {
  const m = /^CPU\.\d+\.\d+\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
