/**
 * The attack traffic in a worker thread: an attacker with an event loop of its own, so that the
 * attack's sockets and timers do not queue behind the purchases this process drives (or the other
 * way round), as they would not when the attacker is another program. Runs from the built code.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import {
  type AttackRates,
  type AttackTargets,
  type AttackTrafficReport,
  type RunningAttack,
  startAttackTraffic,
} from "./attackTraffic";

interface Start {
  readonly attackTraffic: { readonly targets: AttackTargets; readonly rates: AttackRates };
}

/** Start the traffic in a worker; resolves once the worker runs it. */
export async function startAttackWorker(targets: AttackTargets, rates: AttackRates): Promise<RunningAttack> {
  const worker = new Worker(__filename, {
    workerData: { attackTraffic: { targets, rates } } satisfies Start,
  });
  const failed = new Promise<never>((_, reject) => worker.once("error", reject));
  await Promise.race([new Promise((r) => worker.once("message", r)), failed]);
  return {
    async stop() {
      worker.postMessage("stop");
      try {
        return await Promise.race([
          new Promise<AttackTrafficReport>((r) => worker.once("message", r)),
          failed,
        ]);
      } finally {
        await worker.terminate();
      }
    },
  };
}

const start = (workerData as Start | undefined)?.attackTraffic;
if (!isMainThread && parentPort && start) {
  const port = parentPort;
  const running = startAttackTraffic(start.targets, start.rates);
  port.postMessage("started");
  port.once("message", async () => port.postMessage(await running.stop()));
}
