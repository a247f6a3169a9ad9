import type { Logger } from 'pino';
import { headPosition, readEvents, type EventRow } from '../outbox/event-log.js';
import { Fanout } from './fanout.js';
import { ORIGIN, compare, toPos, toPosition, type Pos } from '../outbox/position.js';
import type { Sql } from '../db/sql.js';
import { OutageLog } from '../db/outage-log.js';

/** Events read from the log per query. */
const BATCH = 500;
/** The newest events kept in memory, so that a subscriber resuming close behind is served without a query. */
const RECENT_EVENTS = 256;
const RECENT_PAYLOAD_BYTES = 8 * 1024 * 1024;
/**
 * Looking again for a notified event that is not readable yet: after 2 ms, doubling up to
 * 50 ms (the most it then waits after the transaction holding it back ends), for at most
 * 10 s; past that the poll takes over.
 */
const FIRST_RETRY_MS = 2;
const MAX_RETRY_MS = 50;
const HINT_PATIENCE_MS = 10_000;
/** More notified-but-unread events than this are left to the poll. */
const MAX_HINTS = 10_000;

/**
 * Reads that a change or a NOTIFY asks for start at most this often. At a few hundred changes
 * a second each would otherwise be a read of one or two events and, for every subscriber, a
 * frame written for them: paced, one read and one write per subscriber carry what a few
 * milliseconds brought, for at most this much more latency; a quiet log is read at once.
 */
export const READ_PACE_MS = 5;

export type BroadcasterOptions = { pollIntervalMs: number };

/**
 * What the broadcaster publishes for an event: made once per event by the layer that reads
 * it (the subscriptions wrap the row to render it once per shape); the broadcaster reads only
 * its place in the log and its size.
 */
export type LogItem = { readonly position: Pos; readonly value: EventRow };

/**
 * One per instance: reads the event log after its own position and publishes each event,
 * built once, to this instance's live subscribers. The log is the source; a NOTIFY only
 * says "look now", and a poll covers the notifications that get lost. Every instance runs
 * one, so an event committed through any instance reaches the subscribers of all.
 *
 * Reads go through readEvents(), which returns only events of transactions older than the
 * oldest one still running: the position never passes an event that commits later. A
 * notified event can therefore be unreadable for a moment (an older transaction is still
 * open); the broadcaster then looks again after a short, growing delay.
 *
 * Manual mode (manual()) is for tests: no poll, no wake-up by NOTIFY or wake(), no second look
 * for a notified event; the broadcaster reads the log only when a test calls runOnce().
 */
export class Broadcaster<T extends LogItem> {
  readonly fanout = new Fanout<T>();
  private head: Pos = ORIGIN;
  private recent: T[] = [];
  private recentSeqs = new Set<string>();
  private recentBytes = 0;
  /** Every event after this position, up to the head, is in `recent`. */
  private recentBase: Pos = ORIGIN;
  private readonly hinted = new Set<string>();
  private reading: Promise<void> | undefined;
  private readAgain = false;
  /** When the last read started (performance.now()), and the timer of a read held back until READ_PACE_MS after it. */
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private paceTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 0;
  private retryingSince = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private manualMode = false;
  private readonly outage: OutageLog;

  constructor(
    /** Where the log is read: the plain pool. */
    private readonly sql: Sql,
    /** Makes the item published for an event row. */
    private readonly toItem: (row: EventRow) => T,
    private readonly opts: BroadcasterOptions,
    private readonly log: Logger,
    private readonly onPublished: (item: T) => void = () => undefined,
  ) {
    this.outage = new OutageLog(log, 'reading the event log');
  }

  /** The position of the last event published: a subscriber past it attaches, one behind it catches up first. */
  get position(): Pos {
    return this.head;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.head = toPos(await headPosition(this.sql));
    this.recentBase = this.head;
    this.stopped = false;
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollIntervalMs);
  }

  /**
   * Manual mode, for tests: from now on the broadcaster reads the log only in runOnce(). Works
   * on a broadcaster not started yet (instead of start()) and on a running one, such as the
   * one an app started: it then waits for a read under way.
   */
  async manual(): Promise<void> {
    this.manualMode = true;
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    this.hinted.clear();
    this.readAgain = false;
    if (this.stopped) {
      this.head = toPos(await headPosition(this.sql));
      this.recentBase = this.head;
      this.stopped = false;
    }
    while (this.reading) await this.reading;
  }

  /** Reads the log after the position and publishes what it finds, once: the step of a test in manual mode. */
  async runOnce(): Promise<void> {
    while (this.reading) await this.reading;
    if (this.stopped) return;
    this.reading = this.readAll().finally(() => {
      this.reading = undefined;
    });
    await this.reading;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    await this.reading;
    this.fanout.closeAll();
    this.recent = [];
    this.recentSeqs.clear();
    this.hinted.clear();
  }

  /** Reads the log now. `hint` is the seq a NOTIFY carried, when it carried one. */
  wake(hint?: string): void {
    if (this.stopped || this.manualMode) return;
    if (hint && /^\d{1,19}$/.test(hint) && !this.recentSeqs.has(hint) && this.hinted.size < MAX_HINTS) this.hinted.add(hint);
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    if (this.paceTimer) return;
    const wait = this.lastReadAt + READ_PACE_MS - performance.now();
    if (wait > 0) {
      this.paceTimer = setTimeout(() => {
        this.paceTimer = undefined;
        this.wake();
      }, wait);
      return;
    }
    this.lastReadAt = performance.now();
    this.reading = this.readAll().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.wake();
      }
    });
  }

  /**
   * Up to `max` events right after `cursor`, from memory; undefined when the cursor is older
   * than what is kept (the caller then reads the log).
   */
  recentAfter(cursor: Pos, max: number): T[] | undefined {
    if (compare(cursor, this.recentBase) < 0) return undefined;
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(this.recent[mid]!.position, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return this.recent.slice(lo, lo + max);
  }

  private async readAll(): Promise<void> {
    try {
      for (;;) {
        const rows = await readEvents(this.sql, { after: toPosition(this.head), limit: BATCH });
        if (this.stopped) return;
        this.publish(rows);
        if (rows.length < BATCH) break;
      }
      this.outage.recovered();
    } catch (err) {
      this.outage.failed(err);
    }
    this.retryForHints();
  }

  /** Synchronous from the first event to the last, so that a subscriber attaches between batches, never inside one. */
  private publish(rows: EventRow[]): void {
    const events = rows.map(this.toItem);
    for (const event of events) {
      this.head = event.position;
      this.remember(event);
      this.hinted.delete(event.value.seq);
    }
    this.fanout.publish(events);
    for (const event of events) {
      try {
        this.onPublished(event);
      } catch (err) {
        this.log.warn({ err }, 'observing a published event failed');
      }
    }
  }

  private remember(event: T): void {
    this.recent.push(event);
    this.recentSeqs.add(event.value.seq);
    this.recentBytes += event.value.body.length;
    while (this.recent.length > RECENT_EVENTS || (this.recentBytes > RECENT_PAYLOAD_BYTES && this.recent.length > 1)) {
      const oldest = this.recent.shift()!;
      this.recentBase = oldest.position;
      this.recentSeqs.delete(oldest.value.seq);
      this.recentBytes -= oldest.value.body.length;
    }
  }

  private retryForHints(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.stopped || this.manualMode || this.hinted.size === 0) {
      this.retryDelayMs = 0;
      return;
    }
    const now = Date.now();
    if (this.retryDelayMs === 0) this.retryingSince = now;
    if (now - this.retryingSince > Math.max(HINT_PATIENCE_MS, this.opts.pollIntervalMs)) {
      // Held back by a long transaction: the poll takes it from here.
      this.hinted.clear();
      this.retryDelayMs = 0;
      return;
    }
    this.retryDelayMs = Math.min(this.retryDelayMs ? this.retryDelayMs * 2 : FIRST_RETRY_MS, MAX_RETRY_MS, this.opts.pollIntervalMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, this.retryDelayMs);
  }

}
