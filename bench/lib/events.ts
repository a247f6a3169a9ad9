import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { contactPayload as referencePayload } from '../../src/events/payloads.js';
import { SAMPLE_CONTACT } from '../../src/events/samples.js';
import { statement } from '../../src/db/sql.js';
import { APPEND_ONE_EVENT, EVENTS_APPENDED, appendEventsSql } from '../../src/outbox/append-events.js';
import { EventHints } from '../../src/outbox/event-hints.js';
import { pino } from 'pino';

/**
 * Events written straight into the log by the outbox's own statements (event row, one delivery
 * when its channel has a URL and is enabled, NOTIFY), without the GraphQL layer in front: the
 * delivery benchmarks measure what happens after the commit.
 */
const PAYLOAD_LIMIT = 1_000_000;

/** Many events in one statement and one transaction, with one NOTIFY: a producer that is never the bottleneck. */
const APPEND_MANY = statement(
  'bench-append-many',
  `with new_events (type, entity_id, payload, ord) as (
  select 'contact.updated', n, replace($2, '"id":0', '"id":' || n)::json, n
  from generate_series($1::bigint, $1::bigint + $3::int - 1) as n
), ${appendEventsSql('new_events', '$4::int')}
select count(*)::int as n, ${EVENTS_APPENDED} from appended`,
);

/** A contact.updated payload of the reference's shape and size: its sample contact under another id. */
export function contactPayload(id: number): string {
  return JSON.stringify({ ...referencePayload(SAMPLE_CONTACT), id });
}

export class EventProducer {
  private readonly pool: pg.Pool;
  /** Entity ids are fresh for every event, so that no event waits behind an earlier one of its entity. */
  private nextEntity = 1;
  produced = 0;

  /** After each commit, the NOTIFY another instance of the service would send (outbox/event-hints.ts). */
  private readonly hints: EventHints;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 8, application_name: 'bench' });
    this.hints = new EventHints(new pg.Pool({ connectionString: databaseUrl, max: 1, application_name: 'bench' }), pino({ level: 'warn' }));
  }

  /** One event, one statement (its own transaction); resolves with its webhook-id and performance.now() right after it committed. */
  async recordOne(): Promise<{ id: string; committedAt: number }> {
    const entity = this.nextEntity++;
    const { rows } = await this.pool.query<{ id: string; last_event_seq: string }>({
      ...APPEND_ONE_EVENT,
      values: ['contact.updated', entity, contactPayload(entity), PAYLOAD_LIMIT],
    });
    const committedAt = performance.now();
    this.hints.appended(rows[0]!.last_event_seq, true);
    this.produced++;
    return { id: rows[0]!.id, committedAt };
  }

  async recordMany(count: number): Promise<void> {
    if (count <= 0) return;
    const first = this.nextEntity;
    this.nextEntity += count;
    const { rows } = await this.pool.query<{ n: number; last_event_seq: string }>({ ...APPEND_MANY, values: [first, contactPayload(0), count, PAYLOAD_LIMIT] });
    this.hints.appended(rows[0]!.last_event_seq, true);
    this.produced += rows[0]!.n;
  }

  /** When the service started the (first) attempt of each event, by webhook-id, as epoch ms. */
  async attemptStarts(eventIds: string[]): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ id: string; started: number }>(
      `select e.id, extract(epoch from min(a.started_at)) * 1000 as started
       from events e join webhook_deliveries d on d.event_seq = e.seq join webhook_attempts a on a.delivery_id = d.id
       where e.id = any($1) group by e.id`,
      [eventIds],
    );
    return new Map(rows.map((r) => [r.id, Number(r.started)]));
  }

  /** Connections of the service to this database that wait for a lock right now. */
  async waitingOnLocks(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and application_name <> 'bench'`,
    );
    return rows[0]!.n;
  }

  async close(): Promise<void> {
    await this.hints.close();
    await this.pool.end();
  }
}
