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
import { type RunningProfiler, startProfiler } from "./profiler";

const dir = process.env.SETLAB_CPU_PROF_DIR;
if (dir) {
  const intervalUs = Number(process.env.SETLAB_CPU_PROF_INTERVAL_US ?? 1000);
  let profiler: RunningProfiler | undefined;
  let done = false;
  const start = () => {
    profiler = startProfiler(dir, intervalUs);
  };
  const stop = () => {
    done = true;
    profiler?.stop();
  };
  if (process.env.SETLAB_CPU_PROF_START === "signal")
    process.on("SIGUSR2", () => (profiler === undefined && !done ? start() : stop()));
  else start();
  process.once("exit", stop);
}
