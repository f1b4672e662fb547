/** Operations per second of an async operation: warm up, then run sequentially for a fixed time. */
export interface Rate {
  readonly name: string;
  readonly perSecond: number;
  /** Mean wall milliseconds per operation. */
  readonly ms: number;
  /**
   * Mean CPU milliseconds per operation (this process, every thread, so WebCrypto's thread pool
   * too): steadier than wall time when other work shares the machine.
   */
  readonly cpuMs: number;
  readonly runs: number;
}

export async function measure(name: string, op: () => Promise<unknown>, seconds = 2): Promise<Rate> {
  for (let i = 0; i < 5; i++) await op();
  const budget = seconds * 1000;
  const start = performance.now();
  const cpu = process.cpuUsage();
  let runs = 0;
  while (performance.now() - start < budget) {
    await op();
    runs++;
  }
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    name,
    perSecond: (runs * 1000) / elapsed,
    ms: elapsed / runs,
    cpuMs: (used.user + used.system) / 1000 / runs,
    runs,
  };
}
