import { EventEmitter } from 'node:events';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

type FanoutEvents = { attached: []; detached: []; overflow: []; size: [number] };

/**
 * One source, many live subscribers. Publishing appends references to the shared items to
 * each subscriber's queue and never waits for any of them. A subscriber that still has more
 * than its limit waiting when the next batch comes is cut off (its `onOverflow` runs)
 * instead of making the source, or anyone else, wait. The check comes before the batch, so
 * that one large transaction does not cut off subscribers that were keeping up; a queue
 * therefore holds at most its limit plus one batch.
 */
export class Fanout<T> extends EventEmitter<FanoutEvents> {
  private readonly queues = new Set<LiveQueue<T>>();

  get size(): number {
    return this.queues.size;
  }

  attach(opts: { accept: (item: T) => boolean; limit: number; onOverflow: () => void }): LiveQueue<T> {
    const queue = new LiveQueue<T>(this, opts.accept, opts.limit, opts.onOverflow);
    this.queues.add(queue);
    this.emit('attached');
    this.emit('size', this.queues.size);
    return queue;
  }

  publish(items: readonly T[]): void {
    if (items.length === 0) return;
    for (const queue of this.queues) queue.offer(items);
  }

  /** Ends every subscriber's stream, as at shutdown. */
  closeAll(): void {
    for (const queue of [...this.queues]) queue.close();
  }

  /** Resolves once at least `count` subscribers are attached. */
  async whenAttached(count: number): Promise<void> {
    while (this.queues.size < count) await EventEmitter.once(this, 'size');
  }

  /** Resolves once no subscriber is attached (a socket's subscribers leave when its close completes). */
  async whenEmpty(): Promise<void> {
    while (this.queues.size > 0) await EventEmitter.once(this, 'size');
  }

  detach(queue: LiveQueue<T>, overflowed: boolean): void {
    if (!this.queues.delete(queue)) return;
    this.emit(overflowed ? 'overflow' : 'detached');
    this.emit('size', this.queues.size);
  }
}

/**
 * A subscriber's bounded queue, read as an async iterator. After an overflow it holds
 * nothing and its next() stays pending until return(): ending the stream would tell the
 * client the subscription completed, when it is to resume instead.
 */
export class LiveQueue<T> implements AsyncIterableIterator<T, undefined> {
  private items: T[] = [];
  private first = 0;
  private waiting: ((result: IteratorResult<T, undefined>) => void) | undefined;
  private state: 'open' | 'overflowed' | 'closed' = 'open';

  constructor(
    private readonly fanout: Fanout<T>,
    private readonly accept: (item: T) => boolean,
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {}

  offer(batch: readonly T[]): void {
    if (this.state !== 'open') return;
    if (this.items.length - this.first > this.limit) {
      this.state = 'overflowed';
      this.items = [];
      this.first = 0;
      this.fanout.detach(this, true);
      this.onOverflow();
      return;
    }
    for (const item of batch) {
      if (!this.accept(item)) continue;
      const waiting = this.waiting;
      if (waiting) {
        this.waiting = undefined;
        waiting({ value: item, done: false });
      } else {
        this.items.push(item);
      }
    }
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.first < this.items.length) {
      const value = this.items[this.first]!;
      this.items[this.first++] = undefined as T;
      // Reclaim the read slots now and then, so that a queue that never quite empties stays small.
      if (this.first === this.items.length) {
        this.items = [];
        this.first = 0;
      } else if (this.first >= 1024 && this.first * 2 >= this.items.length) {
        this.items = this.items.slice(this.first);
        this.first = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.state === 'closed') return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.items = [];
    this.first = 0;
    this.fanout.detach(this, false);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
