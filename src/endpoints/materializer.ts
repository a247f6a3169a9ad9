import type { GraphQLSchema } from 'graphql';
import type pg from 'pg';
import type { Logger } from 'pino';
import { NOTIFY } from '../db/notify-channels.js';
import type { SqlPool } from '../db/sql-pool.js';
import { clientSql } from '../db/sql.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { readEvents, type EventRow } from '../outbox/event-log.js';
import { compare, toPos, toPosition, type Pos } from '../outbox/position.js';
import { PublishedEvent } from '../subscriptions/published.js';
import { renderPublished, shapeOf, type ErrorFormatter } from '../subscriptions/shared-execution.js';
import { channelIsOn } from '../webhooks/sql-conditions.js';
import type { SubscriptionDocument } from './subscription-document.js';

/** Events read from the log per transaction. */
const BATCH = 500;

export type MaterializerOptions = {
  pollIntervalMs: number;
  checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument;
  formatError: ErrorFormatter;
};

type EndpointState = {
  id: string;
  target: string;
  on: boolean;
  subscription: string;
  variables: Record<string, unknown> | null;
  position: Pos;
};

/**
 * Every endpoint whose materialisation no other instance holds, locked until this transaction
 * ends: one instance at a time turns an endpoint's events into deliveries.
 */
const LOCK_ENDPOINTS = `select en.id::text as id, c.channel as target, ${channelIsOn('c')} as "on", en.subscription, en.variables,
    en.position_txid::text as position_txid, en.position_seq::text as position_seq
  from webhook_endpoints en join webhook_channels c on c.endpoint_id = en.id
  order by en.id
  for update of en skip locked`;

/**
 * The deliveries, in the log's order (their ids follow it, so each (endpoint, entity) queue
 * keeps the events' order); one per (endpoint, event) whatever happens (the unique index).
 */
const QUEUE_DELIVERIES = `insert into webhook_deliveries (event_seq, channel, entity_id, body)
  select (d->>'event_seq')::bigint, d->>'target', (d->>'entity_id')::bigint, d->>'body'
  from jsonb_array_elements($1::jsonb) with ordinality as t(d, n)
  order by n
  on conflict (channel, event_seq) where body is not null do nothing`;

const ADVANCE = `update webhook_endpoints set position_txid = $2::xid8, position_seq = $3::bigint
  where id = any($1::bigint[]) and (position_txid, position_seq) < ($2::xid8, $3::bigint)`;

/**
 * A consumer of the event log for webhook endpoints (one per instance). Each endpoint keeps
 * its own cursor in the database. In one transaction per batch, the materialiser locks the
 * endpoints no other instance is working on, reads the log once after the earliest of their
 * cursors, executes each endpoint's document for each of its events as a WebSocket subscriber
 * with that document would (renderPublished), queues a delivery for each event the document's
 * root field chooses, and moves every cursor to the last event read. A crash before the commit
 * leaves nothing; a crash after leaves nothing to redo. Mutations never execute documents.
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

  constructor(
    private readonly pool: SqlPool,
    private readonly schema: GraphQLSchema,
    private readonly makeContext: ContextFactory,
    private readonly opts: MaterializerOptions,
    private readonly log: Logger,
    /** Deliveries were queued: this instance's worker looks at once (others hear the NOTIFY). */
    private readonly onQueued: () => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.pollTimer = setInterval(() => this.endpointsChanged(), this.opts.pollIntervalMs);
    this.wake();
  }

  /** An endpoint was created or changed (NOTIFY), or the poll: look for endpoints again. */
  endpointsChanged(): void {
    this.changes += 1;
    this.noEndpoints = false;
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
    } catch (err) {
      this.log.warn({ err }, 'materialising webhook endpoints failed; the next poll tries again');
    }
  }

  /** One transaction: returns how many events it read. */
  private async materializeBatch(): Promise<number> {
    const client = await this.pool.connect();
    // Held across awaits (the documents run between the statements): a connection that the server
    // ends meanwhile reports it here, and is thrown away at release, instead of ending the process.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
      this.log.warn({ err }, 'the materialiser lost its database connection; the next run tries again');
    };
    client.on('error', onError);
    let queued = 0;
    let read = 0;
    const changes = this.changes;
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string; target: string; on: boolean; subscription: string; variables: Record<string, unknown> | null; position_txid: string; position_seq: string }>(LOCK_ENDPOINTS);
      const endpoints: EndpointState[] = rows.map((r) => ({ ...r, position: toPos({ txid: r.position_txid, seq: r.position_seq }) }));
      if (endpoints.length === 0) {
        const { rows: [none] } = await client.query<{ none: boolean }>('select not exists (select 1 from webhook_endpoints) as none');
        this.noEndpoints = none!.none && changes === this.changes;
      } else {
        const earliest = endpoints.map((e) => e.position).reduce((a, b) => (compare(b, a) < 0 ? b : a));
        const events = await readEvents(clientSql(client), { after: toPosition(earliest), limit: BATCH });
        read = events.length;
        if (events.length > 0) queued = await this.queue(client, endpoints, events);
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

  private async queue(client: pg.PoolClient, endpoints: EndpointState[], rows: EventRow[]): Promise<number> {
    const published = rows.map((row) => new PublishedEvent(row, this.makeContext));
    const deliveries: { event_seq: string; target: string; entity_id: string; body: string }[] = [];
    const advanced: string[] = [];
    for (const endpoint of endpoints) {
      const document = this.document(endpoint);
      // A stored document the schema no longer accepts holds its endpoint where it is (logged), rather than skip events.
      if (document instanceof Error) continue;
      advanced.push(endpoint.id);
      if (!endpoint.on) continue;
      const args = { schema: this.schema, document: document.document, variableValues: document.variables ?? {} };
      const shape = shapeOf(args);
      for (const event of published) {
        if (compare(event.position, endpoint.position) <= 0 || !document.selection.accepts({ type: event.value.type, payload: event.payload })) continue;
        const result = await renderPublished(args, shape, event, this.opts.formatError);
        deliveries.push({ event_seq: event.value.seq, target: endpoint.target, entity_id: event.value.entityId, body: result.bytes.toString('utf8') });
      }
    }
    const last = rows[rows.length - 1]!;
    await client.query({ name: 'advance-endpoints', text: ADVANCE, values: [advanced, last.txid, last.seq] });
    if (deliveries.length === 0) return 0;
    const inserted = await client.query({ name: 'queue-endpoint-deliveries', text: QUEUE_DELIVERIES, values: [JSON.stringify(deliveries)] });
    // Other instances' workers; the NOTIFY is sent at the commit.
    await client.query(`select pg_notify('${NOTIFY.events}', 'endpoint')`);
    return inserted.rowCount ?? 0;
  }

  /** The endpoint's document, checked once per text and variables. */
  private document(endpoint: EndpointState): SubscriptionDocument | Error {
    const key = `${endpoint.id}\n${endpoint.subscription}\n${JSON.stringify(endpoint.variables)}`;
    let known = this.documents.get(key);
    if (!known) {
      try {
        known = this.opts.checkDocument(endpoint.subscription, endpoint.variables);
      } catch (err) {
        known = err as Error;
        this.log.error({ err, endpointId: endpoint.id }, 'a webhook endpoint\'s document no longer fits the schema; its deliveries wait until it is updated');
      }
      // Kept per text and variables: after many edits, start afresh rather than grow.
      if (this.documents.size >= 1_000) this.documents.clear();
      this.documents.set(key, known);
    }
    return known;
  }
}
