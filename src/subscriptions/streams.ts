import type { MikroORM } from '@mikro-orm/postgresql';
import type { Sql } from '../db/sql.js';
import type { Broadcaster } from '../bridge/broadcaster.js';
import type { DeliveryFeed, DeliveryUpdate } from '../bridge/delivery-feed.js';
import { CursorExpiredError, ValidationError, describeValue } from '../errors.js';
import type { Channel, EventTypeString } from '../events/event-types.js';
import { checkedCursor, readEvents } from '../outbox/event-log.js';
import type { EventSelection } from './event-selections.js';
import type { LiveQueue } from '../bridge/fanout.js';
import { compare, toPos, toPosition, type Pos } from '../outbox/position.js';
import { PublishedEvent, type Published } from './published.js';
import type { ContextFactory } from '../graphql/context-factory.js';

/** Events read from the log per query while a subscriber catches up. */
const CATCH_UP_PAGE = 100;

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** What the Subscription resolvers stream from; one per WebSocket, bound to it. */
export type SubscriptionStreams = {
  /** Ends with a CursorExpiredError, for the resolver to raise, when the purge overtakes a reader catching up. */
  events(args: { selection: EventSelection; after?: string | null }): Promise<AsyncIterableIterator<PublishedEvent | CursorExpiredError>>;
  /** Live events of the selection (event-selections.ts): a root field's arguments choose them. */
  changes(selection: EventSelection): AsyncIterableIterator<PublishedEvent>;
  deliveries(channel?: Channel | null): AsyncIterableIterator<Published<DeliveryUpdate>>;
};

export type StreamDeps = {
  orm: MikroORM;
  /** The plain pool, where the log is read. */
  sql: Sql;
  broadcaster: Broadcaster<PublishedEvent>;
  deliveryFeed: DeliveryFeed<Published<DeliveryUpdate>>;
  makeContext: ContextFactory;
  /** Events a live subscriber may have waiting before it is cut off. */
  bufferSize: number;
};

export function subscriptionStreams(deps: StreamDeps, onOverflow: () => void): SubscriptionStreams {
  const attach = (accept: (event: PublishedEvent) => boolean) =>
    deps.broadcaster.fanout.attach({ accept, limit: deps.bufferSize, onOverflow });
  return {
    async events({ selection, after }) {
      const cursor = after ? toPos(await checkedCursor(deps.sql, after)) : undefined;
      return new EventStream(deps, (e) => selection.accepts(e), selection.types && [...selection.types], cursor, attach);
    },
    changes(selection) {
      return new EntityStream(attach((e) => selection.accepts(e)));
    },
    deliveries(channel) {
      return deps.deliveryFeed.fanout.attach({
        // A channel's deliveries: not those of endpoints, whose events are of that channel too.
        accept: (update) => !channel || (update.value.delivery.channel === channel && update.value.delivery.endpointId === null),
        limit: deps.bufferSize,
        onOverflow,
      });
    },
  };
}


/**
 * `events(types, after)`: the log after the cursor, then live, with no gap and no duplicate.
 *
 * Behind the broadcaster, the stream pages through the log itself (from memory when the
 * broadcaster still has the events, from the database otherwise), one page per pull, so a
 * slow reader costs a query, never a buffer. Once its cursor has reached the broadcaster's
 * position it attaches, in the same turn of the event loop as the comparison: every later
 * event is one the broadcaster has yet to publish. Events the stream already gave (it may
 * have read past the broadcaster) are skipped by position.
 */
class EventStream implements AsyncIterableIterator<PublishedEvent | CursorExpiredError, undefined> {
  private page: PublishedEvent[] = [];
  private live: LiveQueue<PublishedEvent> | undefined;
  private closed = false;

  constructor(
    private readonly deps: StreamDeps,
    private readonly matches: (event: PublishedEvent) => boolean,
    private readonly types: EventTypeString[] | undefined,
    private cursor: Pos | undefined,
    private readonly attach: (accept: (event: PublishedEvent) => boolean) => LiveQueue<PublishedEvent>,
  ) {}

  async next(): Promise<IteratorResult<PublishedEvent | CursorExpiredError, undefined>> {
    while (!this.closed) {
      const event = this.page.shift();
      if (event) return { value: event, done: false };
      if (this.live) return this.live.next();
      try {
        await this.catchUp();
      } catch (err) {
        if (!(err instanceof CursorExpiredError)) throw err;
        // The subscriber gets the error as its last result, then the stream completes.
        this.closed = true;
        return { value: err, done: false };
      }
    }
    return DONE;
  }

  async return(): Promise<IteratorResult<PublishedEvent, undefined>> {
    this.closed = true;
    this.page = [];
    await this.live?.return();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async catchUp(): Promise<void> {
    const { broadcaster } = this.deps;
    const head = broadcaster.position;
    const cursor = this.cursor;
    if (!cursor || compare(cursor, head) >= 0) {
      this.live = this.attach(cursor ? (e) => compare(e.position, cursor) > 0 && this.matches(e) : this.matches);
      return;
    }
    const recent = broadcaster.recentAfter(cursor, CATCH_UP_PAGE);
    if (recent?.length) {
      this.page = recent.filter(this.matches);
      this.cursor = recent.at(-1)!.position;
      return;
    }
    const rows = await readEvents(this.deps.sql, { after: toPosition(cursor), limit: CATCH_UP_PAGE, types: this.types, refuseExpired: true });
    if (this.closed) return;
    this.page = rows.map((row) => new PublishedEvent(row, this.deps.makeContext));
    const last = this.page.at(-1)?.position ?? cursor;
    // A short page is the whole readable log after the cursor, and the log was readable up
    // to `head` before the query began; with a type filter the rows alone cannot say so.
    this.cursor = rows.length < CATCH_UP_PAGE && compare(head, last) > 0 ? head : last;
  }
}

/** Live events whose document, contact or folder still exists (it is what the subscriber gets). */
class EntityStream implements AsyncIterableIterator<PublishedEvent, undefined> {
  constructor(private readonly live: LiveQueue<PublishedEvent>) {}

  async next(): Promise<IteratorResult<PublishedEvent, undefined>> {
    for (;;) {
      const result = await this.live.next();
      if (result.done || (await result.value.entity())) return result;
    }
  }

  return(): Promise<IteratorResult<PublishedEvent, undefined>> {
    return this.live.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
