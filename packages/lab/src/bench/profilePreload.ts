/**
 * `node -r .../profilePreload.js`: `--cpu-prof` for processes we start through NODE_OPTIONS, which
 * Node 20 refuses to carry `--cpu-prof` itself. The profile lands in SETLAB_CPU_PROF_DIR under the
 * file name `--cpu-prof` would use (so the pid is in it).
 *
 * By default the V8 profiler runs from preload to exit. With SETLAB_CPU_PROF_START=signal it waits
 * for a SIGUSR2, and a second SIGUSR2 stops it and writes the profile at once: the bench profiles
 * exactly its measured window, not start-up and warm-up. A process that dies by a signal it does
 * not handle writes nothing, as with `--cpu-prof`.
 */
import * as fs from "node:fs";
import * as inspector from "node:inspector";
import * as path from "node:path";

function fileName(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const date = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const time = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `CPU.${date}.${time}.${process.pid}.0.001.cpuprofile`;
}

function install(dir: string, onSignal: boolean, intervalUs: number): void {
  const session = new inspector.Session();
  session.connect();
  let state: "waiting" | "running" | "written" = "waiting";
  const start = () => {
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: intervalUs });
    session.post("Profiler.start");
    state = "running";
  };
  // The main thread's own session answers synchronously, so the profile is out before exit.
  const stop = () => {
    if (state !== "running") return;
    state = "written";
    session.post("Profiler.stop", (err, result) => {
      if (err || !result) return;
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, fileName()), JSON.stringify(result.profile), { mode: 0o600 });
    });
  };
  if (onSignal) process.on("SIGUSR2", () => (state === "waiting" ? start() : stop()));
  else start();
  process.once("exit", stop);
}

const dir = process.env.SETLAB_CPU_PROF_DIR;
if (dir)
  install(
    dir,
    process.env.SETLAB_CPU_PROF_START === "signal",
    Number(process.env.SETLAB_CPU_PROF_INTERVAL_US ?? 1000),
  );
