import type { SqlPool } from '../db/sql-pool.js';
import { requestsAfter, type InspectorRequestRow } from './store.js';

/** Rows read per query; a viewer behind reads page after page. */
const PAGE = 100;
/** A lost notification (a reconnecting listener) delays a request by at most this. */
const BACKSTOP_MS = 5_000;

type Watcher = { inspectorId: string; wake(): void };

/**
 * The live view of inspectors: every instance's listener passes the `recordengine_inspector`
 * notification (the inspector's id) to notify(), which wakes the viewers of that inspector.
 * A viewer reads the table after the last request it gave, so a wake-up lost or merged with
 * another costs nothing, and one that comes while it reads is kept for the next wait.
 */
export class InspectorFeed {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly sql: SqlPool) {}

  notify(inspectorId: string): void {
    for (const w of this.watchers) if (w.inspectorId === inspectorId) w.wake();
  }

  get size(): number {
    return this.watchers.size;
  }

  /** The requests after `afterId` (all of them with "0"), then each new one as it arrives. */
  stream(inspectorId: string, afterId: string): AsyncIterableIterator<InspectorRequestRow> {
    const { sql, watchers } = this;
    let last = afterId;
    let pending: InspectorRequestRow[] = [];
    let woken = true;
    let closed = false;
    let release: (() => void) | undefined;
    const watcher: Watcher = {
      inspectorId,
      wake() {
        woken = true;
        release?.();
      },
    };
    // Registered before the first read: a request that arrives during it wakes the next wait.
    watchers.add(watcher);
    const done = (): IteratorReturnResult<undefined> => {
      closed = true;
      watchers.delete(watcher);
      release?.();
      return { value: undefined, done: true };
    };
    const iterator: AsyncIterableIterator<InspectorRequestRow> = {
      async next() {
        while (!closed) {
          const row = pending.shift();
          if (row) return { value: row, done: false };
          if (!woken) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, BACKSTOP_MS);
              release = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            release = undefined;
            if (closed) break;
          }
          woken = false;
          pending = await requestsAfter(sql, inspectorId, last, PAGE);
          if (pending.length === PAGE) woken = true;
          if (pending.length) last = pending[pending.length - 1]!.id;
        }
        return done();
      },
      async return() {
        return done();
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
