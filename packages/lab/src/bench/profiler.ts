/**
 * The V8 CPU profiler of this process, through node:inspector: what `node --cpu-prof` does, but
 * started and stopped when the caller wants. The profile is written as `--cpu-prof` names it
 * (`CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile`), mode 0600.
 */
import * as fs from "node:fs";
import * as inspector from "node:inspector";
import * as path from "node:path";

let seq = 0;

export function profileFileName(pid: number, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const date = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const time = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `CPU.${date}.${time}.${pid}.0.${p(++seq, 3)}.cpuprofile`;
}

export interface RunningProfiler {
  /** Stop and write the profile; the file's path, or undefined when already stopped. */
  stop(): string | undefined;
}

export function startProfiler(dir: string, intervalUs = 1000): RunningProfiler {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  session.post("Profiler.start");
  let running = true;
  return {
    // The main thread's own session answers synchronously, so this works inside an exit handler.
    stop() {
      if (!running) return undefined;
      running = false;
      let written: string | undefined;
      session.post("Profiler.stop", (err, result) => {
        if (err || !result) return;
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        written = path.join(dir, profileFileName(process.pid));
        fs.writeFileSync(written, JSON.stringify(result.profile), { mode: 0o600 });
      });
      session.disconnect();
      return written;
    },
  };
}
