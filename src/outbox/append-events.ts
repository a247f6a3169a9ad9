import { statement, type Sql } from '../db/sql.js';
import { CHANNEL_OF, type EventTypeString } from '../events/event-types.js';
import type { PayloadOf } from '../events/payload-schemas.js';
import { channelIsOn, deliveryIsWaiting } from '../webhooks/sql-conditions.js';
import { DELIVERIES_TO_CLAIM, LAST_EVENT_SEQ } from './event-hints.js';

/**
 * How every change appends its events: CTEs that follow the change's own CTEs in one statement
 * (one round trip, one transaction). `source` names a CTE with the columns
 * (type, entity_id, payload json, ord); its rows are appended to the log in `ord` order and one
 * delivery is queued for each whose channel is on. A payload over `maxBytes` (an expression: a
 * parameter) aborts the whole statement through refuse_change(), so the change is not written
 * without its event.
 *
 * No NOTIFY here: PostgreSQL commits the transactions that notify one at a time (it holds a
 * database-wide lock from the notification to the end of the commit's flush), which capped
 * the whole API near the disk's flushes per second. The statement's final select reads
 * EVENTS_APPENDED, and event-hints.ts tells the listeners after the commit.
 */
export function appendEventsSql(source: string, maxBytes: string): string {
  const channelOf = `case s.type ${Object.entries(CHANNEL_OF)
    .map(([type, channel]) => `when '${type}' then '${channel}'`)
    .join(' ')} end`;
  const size = 'octet_length(s.payload::text)';
  return `appended as (
  insert into events (type, channel, entity_id, payload)
  select s.type, ${channelOf}, s.entity_id,
    case when ${size} > ${maxBytes} then refuse_change(
      format('The %s payload would be %s bytes, over the limit of %s bytes (WEBHOOK_MAX_PAYLOAD_BYTES); nothing was changed', s.type, ${size}, ${maxBytes}),
      json_build_object('field', 'payload', 'size', ${size}, 'limit', ${maxBytes}))
    else s.payload end
  from ${source} s order by s.ord
  returning seq, id, channel, entity_id
), queued as (
  insert into webhook_deliveries (event_seq, channel, entity_id)
  select a.seq, a.channel, a.entity_id from appended a join webhook_channels c on c.channel = a.channel
  where ${channelIsOn('c')}
  returning id, channel, entity_id
)`;
}

/**
 * The final select's columns for the hint after the commit: the last event appended (null:
 * none), and how many of the deliveries queued a claim may have to take: those with nothing
 * earlier of the same entity waiting, as the statement saw it. One queued behind a delivery
 * that waits (for its turn or its retry) is taken by that one's record once it succeeds
 * (record-successes.ts), so no claim need run for it. One behind a delivery in flight does
 * count: that record may have committed without seeing it, and then only a claim takes it.
 */
export const EVENTS_APPENDED = `(select max(seq)::text from appended) as ${LAST_EVENT_SEQ},
  (select count(*)::int from queued q where not exists (
    select 1 from webhook_deliveries p
    where ${deliveryIsWaiting('p')} and p.channel = q.channel and p.entity_id = q.entity_id and p.id < q.id)) as ${DELIVERIES_TO_CLAIM}`;

/**
 * One event on its own, by the same CTEs: for what is not a change of a row (a test's or a
 * benchmark's events). Parameters: type, entity id, payload (JSON text), size limit.
 */
export const APPEND_ONE_EVENT = statement(
  'append-event',
  `with new_events (type, entity_id, payload, ord) as (values ($1::text, $2::bigint, $3::json, 1)),
${appendEventsSql('new_events', '$4::int')}
select seq::text as seq, id, seq::text as ${LAST_EVENT_SEQ} from appended`,
);

export type AppendedEvent = { seq: string; id: string };

/** An event of one type, its payload of that type's schema. */
export type NewEvent = { [T in EventTypeString]: { type: T; entityId: number; payload: PayloadOf<T> } }[EventTypeString];

export async function appendEvent(
  sql: Sql,
  event: NewEvent,
  maxPayloadBytes: number,
): Promise<AppendedEvent> {
  const [row] = await sql.rows<AppendedEvent>(APPEND_ONE_EVENT, [event.type, event.entityId, JSON.stringify(event.payload), maxPayloadBytes]);
  return { seq: row!.seq, id: row!.id };
}
