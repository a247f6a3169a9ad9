import { NOTIFY } from '../db/notify-channels.js';
import { statement, type Sql } from '../db/sql.js';
import { CHANNEL_OF, type EventTypeString } from '../events/event-types.js';

/**
 * How every change appends its events: CTEs that follow the change's own CTEs in one statement
 * (one round trip, one transaction). `source` names a CTE with the columns
 * (type, entity_id, payload json, ord); its rows are appended to the log in `ord` order, one
 * delivery is queued for each whose channel is on, and one NOTIFY carries the last seq
 * (PostgreSQL delivers it at commit only, so a rolled-back change leaves neither event nor
 * hint). A payload over `maxBytes` (an expression: a parameter) aborts the whole statement
 * through refuse_change(), so the change is not written without its event.
 *
 * The statement's final select must read `events_appended` for the NOTIFY to run.
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
  where c.enabled and c.url is not null
), events_appended as (
  select count(*) as n, pg_notify('${NOTIFY.events}', max(seq)::text) from appended having count(*) > 0
)`;
}

/** The final select's column that makes the NOTIFY run (a CTE that nothing reads is never run). */
export const EVENTS_APPENDED = '(select n from events_appended) as events_appended';

/**
 * One event on its own, by the same CTEs: for what is not a change of a row (a test's or a
 * benchmark's events). Parameters: type, entity id, payload (JSON text), size limit.
 */
export const APPEND_ONE_EVENT = statement(
  'append-event',
  `with new_events (type, entity_id, payload, ord) as (values ($1::text, $2::bigint, $3::json, 1)),
${appendEventsSql('new_events', '$4::int')}
select seq::text as seq, id, ${EVENTS_APPENDED} from appended`,
);

export type AppendedEvent = { seq: string; id: string };

export async function appendEvent(
  sql: Sql,
  event: { type: EventTypeString; entityId: number; payload: unknown },
  maxPayloadBytes: number,
): Promise<AppendedEvent> {
  const [row] = await sql.rows<AppendedEvent>(APPEND_ONE_EVENT, [event.type, event.entityId, JSON.stringify(event.payload), maxPayloadBytes]);
  return { seq: row!.seq, id: row!.id };
}
