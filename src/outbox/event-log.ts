import { statement, type Sql } from '../db/sql.js';
import { CursorExpiredError, ValidationError, describeValue } from '../errors.js';
import type { Channel, EventTypeString } from '../events/event-types.js';

/**
 * Reading the event log in order. `seq` is taken at insert and `txid` at the first write of
 * a transaction, so neither alone follows commit order. A reader therefore orders by
 * (txid, seq) and reads only events of transactions older than the oldest one that may
 * still be running here (READABLE_BELOW): those can no longer gain events, so a cursor never
 * passes an event that commits later.
 */
export type EventRow = {
  seq: string;
  id: string;
  txid: string;
  type: EventTypeString;
  channel: Channel;
  entityId: string;
  payload: unknown;
  /** The payload exactly as stored: what the webhook body is. */
  body: string;
  occurredAt: Date;
  /** Where a reader resumes to get what follows this event: `Event.cursor` (see handedOutCursor). */
  cursor: Position;
};

export type Position = { txid: string; seq: string };

export const START: Position = { txid: '0', seq: '0' };

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.txid}:${p.seq}`).toString('base64url');
}

/** The largest xid8 and bigint: a cursor past them would reach PostgreSQL as an out-of-range error. */
const MAX_TXID = 2n ** 64n - 1n;
const MAX_SEQ = 2n ** 63n - 1n;

export function decodeCursor(cursor: string, field = 'after'): Position {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(text);
  if (!match || BigInt(match[1]!) > MAX_TXID || BigInt(match[2]!) > MAX_SEQ || encodeCursor({ txid: match[1]!, seq: match[2]! }) !== cursor) {
    throw new ValidationError(`${field} ${describeValue(cursor)} is not an event cursor`, { field, value: cursor });
  }
  return { txid: match[1]!, seq: match[2]! };
}

export function positionOf(row: EventRow): Position {
  return { txid: row.txid, seq: row.seq };
}

type RawEvent = {
  seq: string;
  id: string;
  txid: string;
  type: EventTypeString;
  channel: Channel;
  entity_id: string;
  body: string;
  occurred_at: Date;
  /** Present when the event was read without the readable bound (handedOutCursor). */
  cursor_txid?: string;
  cursor_seq?: string;
};

export const EVENT_COLUMNS = `e.seq::text as seq, e.id, e.txid::text as txid, e.type, e.channel, e.entity_id::text as entity_id, e.payload::text as body, e.occurred_at`;

export function toEventRow(raw: RawEvent): EventRow {
  return {
    seq: raw.seq,
    id: raw.id,
    txid: raw.txid,
    type: raw.type,
    channel: raw.channel,
    entityId: raw.entity_id,
    body: raw.body,
    get payload() {
      return JSON.parse(raw.body) as unknown;
    },
    occurredAt: raw.occurred_at,
    cursor: raw.cursor_txid === undefined ? { txid: raw.txid, seq: raw.seq } : { txid: raw.cursor_txid, seq: raw.cursor_seq! },
  };
}

/**
 * The cursor columns of an event read without the readable bound `below` (the delivery log
 * reads events by delivery, whatever their transaction): the event's own position once its
 * transaction is below the bound; until then the bound itself, (below, 0), which sorts after
 * every readable event and before every event that may still commit. A reader resuming from
 * it skips nothing (it gets this event again), whereas the event's own position would pass
 * the events an older transaction has yet to commit.
 */
export function handedOutCursor(below: string): string {
  return `case when e.txid < ${below} then e.txid else ${below} end::text as cursor_txid,
    case when e.txid < ${below} then e.seq else 0 end::text as cursor_seq`;
}

/**
 * CURSOR_EXPIRED when `after` is below `purged`, the position of the newest event the purge
 * has deleted: an event after such a cursor is gone. At or after it, nothing after is gone.
 */
export function checkNotPurged(after: Position, purged: Position, field = 'after'): void {
  if (BigInt(after.txid) < BigInt(purged.txid) || (after.txid === purged.txid && BigInt(after.seq) < BigInt(purged.seq))) {
    const value = encodeCursor(after);
    const oldestCursor = encodeCursor(purged);
    throw new CursorExpiredError(
      `${field} ${describeValue(value)} is older than what the event log keeps (WEBHOOK_RETENTION): events after it were purged; the oldest cursor to read on from is ${describeValue(oldestCursor)}`,
      { field, value, oldestCursor },
    );
  }
}

/**
 * The txid below which every transaction that could write to this log has ended, as this
 * statement's snapshot sees it: the oldest transaction still running, leaving out those that
 * pg_stat_activity shows running in another database (they cannot write here). Leaving out
 * nothing else keeps it safe: a transaction that ended between the snapshot and the read of
 * pg_stat_activity, or whose database is hidden from this role, still holds the bound back.
 * So a long write transaction elsewhere on a shared server does not stall this log, while
 * one on this database does, until it ends.
 */
export const READABLE_BELOW = `coalesce(
  (select min(x) from pg_snapshot_xip(pg_current_snapshot()) x
   where x::xid not in (select a.backend_xid from pg_stat_activity a
                        where a.backend_xid is not null and a.datname is distinct from current_database())),
  pg_snapshot_xmax(pg_current_snapshot()))`;

/** Reading the log after a position, with or without a filter by type; prepared once per connection. */
const readEventsStatement = (byType: boolean) =>
  statement(
    'read-events',
    `select p.txid::text as purged_txid, p.seq::text as purged_seq, page.*
     from events_purged p left join lateral (
       select ${EVENT_COLUMNS}, e.txid as position_txid, e.seq as position_seq from events e
       where (e.txid, e.seq) > ($1::xid8, $2::bigint) ${byType ? 'and e.type = any($4::text[])' : ''}
         and e.txid < ${READABLE_BELOW}
       order by e.txid, e.seq limit $3::int) page on true
     order by page.position_txid, page.position_seq`,
  );
const READ_EVENTS = readEventsStatement(false);
const READ_EVENTS_OF_TYPES = readEventsStatement(true);

/**
 * Committed events after `after`, in log order, at most `limit`; `types` filters. With
 * `refuseExpired` (`after` is a reader's cursor), a cursor the purge has passed is refused
 * with CURSOR_EXPIRED: the check and the read are one statement, so they see the same purge.
 * One prepared statement on the plain pool: the broadcaster runs it after every commit.
 */
export async function readEvents(
  sql: Sql,
  opts: { after: Position; limit: number; types?: readonly EventTypeString[] | undefined; refuseExpired?: boolean },
): Promise<EventRow[]> {
  const byType = opts.types !== undefined && opts.types.length > 0;
  const values: unknown[] = [opts.after.txid, opts.after.seq, opts.limit];
  if (byType) values.push(opts.types);
  const rows = await sql.rows<Partial<RawEvent> & { purged_txid: string; purged_seq: string; position_txid: string | null }>(
    byType ? READ_EVENTS_OF_TYPES : READ_EVENTS,
    values,
  );
  if (opts.refuseExpired && rows[0]) checkNotPurged(opts.after, { txid: rows[0].purged_txid, seq: rows[0].purged_seq });
  return rows.filter((r) => r.position_txid !== null).map((r) => toEventRow(r as RawEvent));
}

const HEAD_POSITION = statement(
  'head-position',
  `select e.txid::text as txid, e.seq::text as seq from events e
   where e.txid < ${READABLE_BELOW}
   order by e.txid desc, e.seq desc limit 1`,
);

/** The position after the last readable event: where a live reader starts. */
export async function headPosition(sql: Sql): Promise<Position> {
  const rows = await sql.rows<{ txid: string; seq: string }>(HEAD_POSITION, []);
  return rows[0] ? { txid: rows[0].txid, seq: rows[0].seq } : START;
}

const LOG_END = statement(
  'log-end',
  `select pg_snapshot_xmax(pg_current_snapshot())::text as next_txid,
          coalesce(pg_sequence_last_value(pg_get_serial_sequence('events', 'seq')), 0)::text as last_seq,
          p.txid::text as purged_txid, p.seq::text as purged_seq
   from events_purged p`,
);

/**
 * A reader's cursor, checked: well formed, of this log (one past its end is refused rather
 * than waited for), and not passed by the purge (CURSOR_EXPIRED rather than a gap).
 */
export async function checkedCursor(sql: Sql, after: string, field = 'after'): Promise<Position> {
  const position = decodeCursor(after, field);
  const [end] = await sql.rows<{ next_txid: string; last_seq: string; purged_txid: string; purged_seq: string }>(LOG_END, []);
  if (BigInt(position.txid) >= BigInt(end!.next_txid) || BigInt(position.seq) > BigInt(end!.last_seq)) {
    throw new ValidationError(`${field} ${describeValue(after)} points past the end of the event log`, { field, value: after });
  }
  checkNotPurged(position, { txid: end!.purged_txid, seq: end!.purged_seq }, field);
  return position;
}
