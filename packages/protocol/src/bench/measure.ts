/** Operations per second of an async operation: warm up, then run sequentially for a fixed time. */
export interface Rate {
  readonly name: string;
  readonly perSecond: number;
  /** Mean milliseconds per operation. */
  readonly ms: number;
  readonly runs: number;
}

export async function measure(name: string, op: () => Promise<unknown>, seconds = 2): Promise<Rate> {
  for (let i = 0; i < 5; i++) await op();
  const budget = seconds * 1000;
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < budget) {
    await op();
    runs++;
  }
  const elapsed = performance.now() - start;
  return { name, perSecond: (runs * 1000) / elapsed, ms: elapsed / runs, runs };
}
