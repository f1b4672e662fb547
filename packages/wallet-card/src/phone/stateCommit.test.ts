import { StateCommit } from "./stateCommit";

/** A write the test completes or fails by hand. */
interface Pending {
  readonly value: number;
  readonly done: () => void;
  readonly fail: (e: Error) => void;
}

function manualDisk() {
  const writes: Pending[] = [];
  let durable = 0;
  const commit = new StateCommit<number>(
    (value) =>
      new Promise<void>((resolve, reject) => {
        writes.push({
          value,
          done: () => {
            durable = value;
            resolve();
          },
          fail: reject,
        });
      }),
  );
  return { commit, writes, durable: () => durable };
}

/** Let every settled promise run its callbacks. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe("group commit of a card's state", () => {
  test("changes made during a write are written together by the next one, the newest state only", async () => {
    const disk = manualDisk();
    const resolved: number[] = [];
    const calls = [1, 2, 3, 4, 5].map((v) => disk.commit.commit(v).then(() => resolved.push(v)));
    await settle();
    expect(disk.writes.map((w) => w.value)).toEqual([1]);
    disk.writes[0].done();
    await settle();
    // 1 is durable; 2..5 still wait: their states are not on disk yet.
    expect(resolved).toEqual([1]);
    expect(disk.writes.map((w) => w.value)).toEqual([1, 5]);
    disk.writes[1].done();
    await Promise.all(calls);
    expect(resolved).toEqual([1, 2, 3, 4, 5]);
    expect(disk.commit.writeCount).toBe(2);
    expect(disk.durable()).toBe(5);
  });

  test("no caller resolves before a write holding its state or a later one is durable", async () => {
    const disk = manualDisk();
    const seen: [number, number][] = [];
    const calls: Promise<unknown>[] = [];
    for (let v = 1; v <= 20; v++) {
      calls.push(disk.commit.commit(v).then(() => seen.push([v, disk.durable()])));
      if (v % 3 === 0) {
        await settle();
        disk.writes.at(-1)?.done();
      }
    }
    while (seen.length < 20) {
      await settle();
      disk.writes.at(-1)?.done();
    }
    await Promise.all(calls);
    for (const [v, durable] of seen) expect(durable).toBeGreaterThanOrEqual(v);
    expect(disk.commit.writeCount).toBeLessThan(20);
  });

  test("writes never overlap and never go back to an older state", async () => {
    let inFlight = 0;
    const written: number[] = [];
    const commit = new StateCommit<number>(async (v) => {
      inFlight++;
      expect(inFlight).toBe(1);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      written.push(v);
      inFlight--;
    });
    const calls: Promise<void>[] = [];
    for (let v = 1; v <= 200; v++) {
      calls.push(commit.commit(v));
      if (Math.random() < 0.2) await new Promise((r) => setTimeout(r, Math.random() * 3));
    }
    await Promise.all(calls);
    expect(written.at(-1)).toBe(200);
    for (let i = 1; i < written.length; i++) expect(written[i]).toBeGreaterThan(written[i - 1]);
    expect(written.length).toBeLessThan(200);
  });

  test("a failed write rejects exactly its callers; the next write goes on with the newest state", async () => {
    const disk = manualDisk();
    const first = disk.commit.commit(1);
    const second = disk.commit.commit(2);
    const third = disk.commit.commit(3);
    await settle();
    disk.writes[0].done();
    await expect(first).resolves.toBeUndefined();
    await settle();
    expect(disk.writes[1].value).toBe(3);
    const later = disk.commit.commit(4);
    const boom = new Error("disk full");
    disk.writes[1].fail(boom);
    await expect(second).rejects.toBe(boom);
    await expect(third).rejects.toBe(boom);
    expect(disk.durable()).toBe(1);
    await settle();
    expect(disk.writes[2].value).toBe(4);
    disk.writes[2].done();
    await expect(later).resolves.toBeUndefined();
    expect(disk.durable()).toBe(4);
  });

  test("a write that throws at once rejects its callers instead of escaping", async () => {
    const commit = new StateCommit<number>(() => {
      throw new Error("no such directory");
    });
    await expect(commit.commit(1)).rejects.toThrow("no such directory");
    await expect(commit.commit(2)).rejects.toThrow("no such directory");
  });
});
