import type { GraphQLSchema } from 'graphql';
import type pg from 'pg';
import type { Logger } from 'pino';
import { NOTIFY } from '../db/notify-channels.js';
import type { SqlPool } from '../db/sql-pool.js';
import { OutageLog } from '../db/outage-log.js';
import { clientSql, poolSql } from '../db/sql.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { readEvents, type EventRow } from '../outbox/event-log.js';
import { compare, toPos, toPosition, type Pos } from '../outbox/position.js';
import { PublishedEvent } from '../subscriptions/published.js';
import { renderPublished, shapeOf, type ErrorFormatter } from '../subscriptions/shared-execution.js';
import { channelIsOn } from '../webhooks/sql-conditions.js';
import { materialisingLock } from './endpoint-store.js';
import type { SubscriptionDocument } from './subscription-document.js';

/** Events read from the log per transaction. */
const BATCH = 500;
/**
 * An endpoint's stored cursor is written when deliveries are queued for it, and otherwise at
 * most this often: between, this instance remembers where it is. An endpoint whose filter
 * chooses little would else have its row rewritten for every batch of events.
 */
const PERSIST_EVERY_MS = 1_000;

export type MaterializerOptions = {
  pollIntervalMs: number;
  checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument;
  formatError: ErrorFormatter;
  /** The events after a position that this instance's broadcaster still holds; undefined when it no longer holds them all. */
  recentEvents(after: Pos, max: number): PublishedEvent[] | undefined;
};

type EndpointRow = {
  id: string;
  target: string;
  on: boolean;
  subscription: string;
  variables: Record<string, unknown> | null;
  position_txid: string;
  position_seq: string;
  /** Counts the cursor's moves by hand (updateWebhookEndpoint(after)): where a materialiser got to before one no longer counts. */
  position_generation: number;
};

type EndpointState = { id: string; target: string; on: boolean; document: SubscriptionDocument; position: Pos; generation: number };

/**
 * Every endpoint whose materialisation no other instance holds, locked until this transaction
 * ends: one instance at a time turns an endpoint's events into deliveries. An advisory lock,
 * not a row lock: a row lock would give the transaction an id while the documents run, and an
 * open transaction with an id holds back every reader of the log (READABLE_BELOW). The
 * transaction takes its id only at its writes, at the end.
 */
const ENDPOINTS = `select en.id::text as id, c.channel as target, ${channelIsOn('c')} as "on", en.subscription, en.variables,
    en.position_txid::text as position_txid, en.position_seq::text as position_seq, en.position_generation
  from webhook_endpoints en join webhook_channels c on c.endpoint_id = en.id`;
const LOCK_ENDPOINTS = `${ENDPOINTS}
  where ${materialisingLock('pg_try_advisory_xact_lock', 'en.id')}
  order by en.id`;

/**
 * The deliveries, in the log's order (their ids follow it, so each (endpoint, entity) queue
 * keeps the events' order); one per (endpoint, event) whatever happens (the unique index).
 */
const QUEUE_DELIVERIES = `insert into webhook_deliveries (event_seq, channel, entity_id, body)
  select (d->>'event_seq')::bigint, d->>'target', (d->>'entity_id')::bigint, d->>'body'
  from jsonb_array_elements($1::jsonb) with ordinality as t(d, n)
  order by n
  on conflict (channel, event_seq) where body is not null do nothing`;

/** Moves cursors forward, never back, and not one that was set by hand since it was read (its generation moved). */
const ADVANCE = `update webhook_endpoints e set position_txid = $2::xid8, position_seq = $3::bigint
  from unnest($1::bigint[], $4::int[]) as read(id, generation)
  where e.id = read.id and e.position_generation = read.generation and (e.position_txid, e.position_seq) < ($2::xid8, $3::bigint)`;

/**
 * A consumer of the event log for webhook endpoints (one per instance). Each endpoint keeps
 * its own cursor in the database. In one transaction per batch, the materialiser takes the
 * endpoints no other instance is working on (an advisory lock each), reads the log once after
 * the earliest of their cursors, executes each endpoint's document for each of its events as a
 * WebSocket subscriber with that document would (renderPublished), and only then writes: a
 * delivery for each event the document's root field chooses, and the cursors of the endpoints
 * that got one (the others' now and then, see PERSIST_EVERY_MS). A crash before the commit
 * leaves nothing; a cursor stored behind where the endpoint got only makes a later run look at
 * events again, which choose what they chose (one delivery per endpoint and event: the unique
 * index). Mutations never execute documents.
 *
 * An endpoint that is off (switched off, by hand, by a 410 or after failing too long) has
 * nothing queued, as a channel that is off: its cursor moves on without deliveries.
 */
export class EndpointMaterializer {
  private running: Promise<void> | undefined;
  private runAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly documents = new Map<string, SubscriptionDocument | Error>();
  /**
   * No endpoint existed when last looked: events then do not wake the materialiser (a service
   * without endpoints pays nothing for them); a change of endpoints or the poll looks again.
   */
  private noEndpoints = false;
  /** Counts endpointsChanged(): a look that began before a change must not conclude there are none. */
  private changes = 0;
  /** Where this instance has materialised each endpoint to, ahead of its stored cursor, when that was last stored, and for which generation of the cursor. */
  private readonly reached = new Map<string, { position: Pos; storedAt: number; generation: number }>();
  /**
   * The endpoints as last read, without a lock: enough to tell whether new events concern any
   * of them. Most events concern none (a filter that chooses little, many endpoints): those
   * cost no statement at all, only the test of each filter.
   */
  private definitions: EndpointRow[] | undefined;
  private readonly outage: OutageLog;

  constructor(
    private readonly pool: SqlPool,
    private readonly schema: GraphQLSchema,
    private readonly makeContext: ContextFactory,
    private readonly opts: MaterializerOptions,
    private readonly log: Logger,
    /** Deliveries were queued: this instance's worker looks at once (others hear the NOTIFY). */
    private readonly onQueued: () => void,
  ) {
    this.outage = new OutageLog(log, 'materialising webhook endpoints');
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.pollTimer = setInterval(() => this.endpointsChanged(), this.opts.pollIntervalMs);
    this.wake();
  }

  /** An endpoint was created, changed or deleted (NOTIFY, or here), or the poll: read the endpoints again. */
  endpointsChanged(): void {
    this.changes += 1;
    this.noEndpoints = false;
    this.definitions = undefined;
    this.wake();
  }

  /** Materialises now and resolves when done: a test's step. */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    if (this.stopped) return;
    this.running = this.materializeAll().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    while (this.running) await this.running;
  }

  /** New events may be readable, or an endpoint changed: materialise now (or right after the run under way). */
  wake(): void {
    if (this.stopped || this.noEndpoints) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    this.running = this.materializeAll().finally(() => {
      this.running = undefined;
      if (this.runAgain) {
        this.runAgain = false;
        this.wake();
      }
    });
  }

  private async materializeAll(): Promise<void> {
    try {
      while (!this.stopped && (await this.materializeBatch()) === BATCH);
      this.outage.recovered();
    } catch (err) {
      this.outage.failed(err);
    }
  }

  /**
   * Up to BATCH events after the earliest endpoint, from the broadcaster's memory when it still
   * holds them: when no endpoint chooses any of them and no cursor is due to be stored, this
   * instance only remembers how far it got. Otherwise one transaction does the work. Returns
   * how many events it looked at.
   */
  private async materializeBatch(): Promise<number> {
    const changes = this.changes;
    let definitions = this.definitions;
    if (!definitions) {
      definitions = (await this.pool.query<EndpointRow>({ name: 'endpoint-definitions', text: ENDPOINTS })).rows;
      // Read before a change that came meanwhile: used for this batch, not kept.
      if (changes === this.changes) this.definitions = definitions;
    }
    if (definitions.length === 0) {
      this.noEndpoints = changes === this.changes;
      return 0;
    }
    const states = this.states(definitions);
    if (!states) return 0;
    const { endpoints, earliest } = states;
    const events =
      this.opts.recentEvents(earliest, BATCH) ??
      (await readEvents(poolSql(this.pool), { after: toPosition(earliest), limit: BATCH })).map((row) => new PublishedEvent(row, this.makeContext));
    if (events.length === 0) return 0;
    const now = Date.now();
    const work = endpoints.some(
      (e) =>
        now - (this.reached.get(e.id)?.storedAt ?? 0) >= PERSIST_EVERY_MS ||
        (e.on && events.some((event) => compare(event.position, e.position) > 0 && e.document.selection.accepts(event))),
    );
    if (work) return this.materializeInTransaction();
    const last = events[events.length - 1]!.position;
    for (const e of endpoints) this.reach(e, last, false, now);
    return events.length;
  }

  /** The endpoints' states (those whose documents the schema accepts), and the earliest position among them; undefined: none. */
  private states(rows: readonly EndpointRow[]): { endpoints: EndpointState[]; earliest: Pos } | undefined {
    const endpoints = rows.map((r) => this.state(r)).filter((e): e is EndpointState => e !== undefined);
    if (endpoints.length === 0) return undefined;
    return { endpoints, earliest: endpoints.map((e) => e.position).reduce((a, b) => (compare(b, a) < 0 ? b : a)) };
  }

  /** One transaction: returns how many events it read. */
  private async materializeInTransaction(): Promise<number> {
    const client = await this.pool.connect();
    // Held across awaits (the documents run between the statements): a connection that the server
    // ends meanwhile reports it here, and is thrown away at release, instead of ending the process.
    let lost: Error | undefined;
    // The run's own failure (logged once per outage) says what happened.
    const onError = (err: Error) => {
      lost = err;
    };
    client.on('error', onError);
    let queued = 0;
    let read = 0;
    try {
      await client.query('begin');
      const { rows } = await client.query<EndpointRow>(LOCK_ENDPOINTS);
      const states = this.states(rows);
      if (states) {
        const events = await readEvents(clientSql(client), { after: toPosition(states.earliest), limit: BATCH });
        read = events.length;
        if (events.length > 0) queued = await this.queue(client, states.endpoints, events);
      }
      await client.query('commit');
    } catch (err) {
      lost ??= err instanceof Error ? err : new Error(String(err));
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
    if (queued > 0) this.onQueued();
    return read;
  }

  /**
   * An endpoint as this run sees it: from its stored cursor, or from where this instance got
   * to since. Undefined for one whose stored document the schema no longer accepts: it stays
   * where it is (logged) rather than skip events, and holds no other endpoint back.
   */
  private state(r: EndpointRow): EndpointState | undefined {
    const stored = toPos({ txid: r.position_txid, seq: r.position_seq });
    const known = this.reached.get(r.id);
    // A cursor set by hand since (a backfill) starts over from where it was set.
    if (known && known.generation !== r.position_generation) this.reached.delete(r.id);
    const reached = known?.generation === r.position_generation ? known.position : undefined;
    const position = reached && compare(reached, stored) > 0 ? reached : stored;
    const document = this.document(r.id, r.subscription, r.variables);
    return document instanceof Error ? undefined : { id: r.id, target: r.target, on: r.on, document, position, generation: r.position_generation };
  }

  /** Renders every endpoint's events, then writes (the transaction's first write: its id is taken only now). */
  private async queue(client: pg.PoolClient, endpoints: EndpointState[], rows: EventRow[]): Promise<number> {
    const published = rows.map((row) => new PublishedEvent(row, this.makeContext));
    const deliveries: { event_seq: string; target: string; entity_id: string; body: string }[] = [];
    const chose = new Set<string>();
    for (const { id, on, target, document, position } of endpoints) {
      if (!on) continue;
      const args = { schema: this.schema, document: document.document, variableValues: document.variables ?? {} };
      const shape = shapeOf(args);
      for (const event of published) {
        if (compare(event.position, position) <= 0 || !document.selection.accepts(event)) continue;
        const result = await renderPublished(args, shape, event, this.opts.formatError);
        deliveries.push({ event_seq: event.value.seq, target, entity_id: event.value.entityId, body: result.bytes.toString('utf8') });
        chose.add(id);
      }
    }
    const last = published[published.length - 1]!.position;
    const now = Date.now();
    const store = endpoints.filter((e) => chose.has(e.id) || now - (this.reached.get(e.id)?.storedAt ?? 0) >= PERSIST_EVERY_MS);
    if (store.length > 0) {
      const values = [store.map((e) => e.id), String(last.txid), String(last.seq), store.map((e) => e.generation)];
      await client.query({ name: 'advance-endpoints', text: ADVANCE, values });
    }
    let inserted = 0;
    if (deliveries.length > 0) {
      inserted = (await client.query({ name: 'queue-endpoint-deliveries', text: QUEUE_DELIVERIES, values: [JSON.stringify(deliveries)] })).rowCount ?? 0;
      // Other instances' workers; the NOTIFY is sent at the commit.
      await client.query(`select pg_notify('${NOTIFY.events}', 'endpoint')`);
    }
    const stored = new Set(store);
    for (const e of endpoints) this.reach(e, last, stored.has(e), now);
    return inserted;
  }

  /** Remembers that the endpoint has been materialised up to `position` (never back), and whether that was just stored. */
  private reach(e: EndpointState, position: Pos, stored: boolean, now: number): void {
    const known = this.reached.get(e.id);
    this.reached.set(e.id, {
      position: compare(position, e.position) > 0 ? position : e.position,
      storedAt: stored ? now : (known?.storedAt ?? 0),
      generation: e.generation,
    });
  }

  /** The endpoint's document, checked once per text and variables. */
  private document(id: string, subscription: string, variables: Record<string, unknown> | null): SubscriptionDocument | Error {
    const key = `${id}\n${subscription}\n${JSON.stringify(variables)}`;
    let known = this.documents.get(key);
    if (!known) {
      try {
        known = this.opts.checkDocument(subscription, variables);
      } catch (err) {
        known = err as Error;
        this.log.error({ err, endpointId: id }, 'a webhook endpoint\'s document no longer fits the schema; its deliveries wait until it is updated');
      }
      // Kept per text and variables: after many edits, start afresh rather than grow.
      if (this.documents.size >= 1_000) this.documents.clear();
      this.documents.set(key, known);
    }
    return known;
  }
}
