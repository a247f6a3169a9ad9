import type { EntityManager } from '@mikro-orm/postgresql';
import { ValidationError } from '../errors.js';
import { CHANNEL_OF, type EventTypeString } from '../events/event-types.js';
import { NOTIFY } from '../db/notify-channels.js';


/**
 * One statement, inside the caller's transaction: append the event to the log, queue one
 * delivery when its channel has a URL and is enabled, and NOTIFY (PostgreSQL delivers the
 * notification only at commit, so a rolled-back change leaves neither event nor hint).
 */
const RECORD_SQL = `
with event as (
  insert into events (type, channel, entity_id, payload) values (?, ?, ?, ?::json)
  returning seq, channel, entity_id
), delivery as (
  insert into webhook_deliveries (event_seq, channel, entity_id)
  select event.seq, event.channel, event.entity_id
  from event join webhook_channels c on c.channel = event.channel
  where c.enabled and c.url is not null
)
select seq, pg_notify('${NOTIFY.events}', seq::text) from event`;

export type RecordedEvent = { seq: string };

export async function recordEvent(
  em: EntityManager,
  event: { type: EventTypeString; entityId: number; payload: unknown },
  maxPayloadBytes: number,
): Promise<RecordedEvent> {
  if (!em.isInTransaction()) throw new Error('recordEvent must run inside the transaction of the change it describes');
  const body = JSON.stringify(event.payload);
  const size = Buffer.byteLength(body);
  if (size > maxPayloadBytes) {
    throw new ValidationError(
      `The ${event.type} payload would be ${size} bytes, over the limit of ${maxPayloadBytes} bytes (WEBHOOK_MAX_PAYLOAD_BYTES); nothing was changed`,
      { field: 'payload', size, limit: maxPayloadBytes },
    );
  }
  const rows = await em.execute<{ seq: string }[]>(RECORD_SQL, [event.type, CHANNEL_OF[event.type], event.entityId, body]);
  return { seq: String(rows[0]!.seq) };
}
