import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export type LoadResult = {
  /** Requests that completed inside the measured window. */
  completed: number;
  errors: number;
  seconds: number;
  /** ms, of the requests started inside the measured window. */
  latencies: number[];
  firstError: string | undefined;
};

/**
 * Closed loop: `concurrency` callers, each sending its next request when the last one
 * answered, as a pool of busy clients does. A warm-up comes first and is not counted.
 */
export async function closedLoop(opts: { concurrency: number; warmupMs: number; durationMs: number; send: (i: number) => Promise<void> }): Promise<LoadResult> {
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const caller = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        await opts.send(next++);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
        continue;
      }
      const t1 = performance.now();
      if (t0 >= measureFrom) latencies.push(t1 - t0);
      if (t1 >= measureFrom && t1 <= end) completed++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, caller));
  return { completed, errors, seconds: opts.durationMs / 1000, latencies, firstError };
}

/**
 * Open loop: requests at a steady rate whatever the answers, as independent users send them.
 * Latency runs from the moment a request was due, so a stalled server is not hidden by the
 * requests it kept from being sent (coordinated omission).
 */
export async function openLoop(opts: { rate: number; warmupMs: number; durationMs: number; send: (i: number) => Promise<void> }): Promise<LoadResult> {
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  const interval = 1000 / opts.rate;
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  for (;;) {
    const now = performance.now();
    const due = start + i * interval;
    if (due >= end) break;
    if (due > now) {
      await sleep(Math.min(due - now, 5));
      continue;
    }
    const index = i++;
    const p = opts
      .send(index)
      .then(
        () => {
          const t1 = performance.now();
          if (due >= measureFrom) latencies.push(t1 - due);
          if (t1 >= measureFrom && t1 <= end) completed++;
        },
        (err: unknown) => {
          errors++;
          firstError ??= (err as Error).message;
        },
      )
      .finally(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
  return { completed, errors, seconds: opts.durationMs / 1000, latencies, firstError };
}
