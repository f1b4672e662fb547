/**
 * Durable file writes on the phone: whole files replaced atomically (atomicWrite.js), and slots of
 * the card state overwritten in place (slotWrite.js). Blocking for one-off writes, and through one
 * writer thread for the card state, where the phone keeps serving while the disk syncs.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { writeFileAtomic } from "./atomicWrite";

export { writeFileAtomic };

/** One slot of the card state file to overwrite in place (slotWrite.js). */
export interface SlotWrite {
  readonly offset: number;
  readonly content: string | Uint8Array;
}

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

interface WriteDone {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string; readonly syscall?: string };
}

/**
 * The writer thread, started at the first write and shared by every card of the process. Writes
 * to one file never overlap (the card store sends the next only after the last resolved), so the
 * thread's order is the callers' order.
 */
class StateWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** Replaces `file` with `content`, or overwrites `slots` of the existing file in order. */
  write(file: string, content: string | Uint8Array | readonly SlotWrite[]): Promise<void> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      // A write in flight keeps the process alive until it is durable; an idle thread does not.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage(Array.isArray(content) ? { id, file, slots: content } : { id, file, content });
    });
  }

  private start(): Worker {
    const worker = new Worker(path.join(__dirname, "stateWriteThread.js"));
    worker.unref();
    worker.on("message", ({ id, error }: WriteDone) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (error)
        p.reject(Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall }));
      else p.resolve();
      if (this.pending.size === 0) worker.unref();
    });
    const stopped = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      // Whether those writes reached the disk is unknown: their callers must not answer as if they had.
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(new Error(`the state writer thread stopped: ${why}`));
    };
    worker.on("error", (e) => stopped(e.message));
    worker.on("exit", (code) => stopped(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** The card state's writes (an object, so that a test can make one of them fail). */
export const stateFiles = new StateWriter();

/** `writeFileAtomic` in the writer thread; resolves once the new file and its rename are durable. */
export function writeFileAtomicAsync(file: string, content: string | Uint8Array): Promise<void> {
  return stateFiles.write(file, content);
}

/** `writeSlots` in the writer thread; resolves once every slot written is durable. */
export function writeSlotsAsync(file: string, slots: readonly SlotWrite[]): Promise<void> {
  return stateFiles.write(file, slots);
}
