import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError, describeValue } from '../errors.js';
import { EVENT_TYPES, type Channel, type EventTypeName } from '../events/event-types.js';
import { EVENT_COLUMNS, READABLE_BELOW, checkNotPurged, decodeCursor, handedOutCursor, toEventRow, type EventRow } from '../outbox/event-log.js';
import { NOTIFY } from '../db/notify-channels.js';
import { deliveryIsInFlight } from './sql-conditions.js';
import { endpointTarget, parseEndpointId, type DeliveryTarget } from './target.js';

/** The delivery log: a product feature, read by `webhookDeliveries` and written by the worker. */
export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export type DeliveryRow = {
  id: string;
  /** The channel of its event: for an endpoint's delivery, the channel the event belongs to. */
  channel: Channel;
  /** The webhook endpoint it goes to; null for a channel's delivery. */
  endpointId: string | null;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  event: EventRow;
};

export type AttemptRow = {
  /** Its id in the delivery log, which the service's log lines about it name; null for testWebhook's, which is not recorded. */
  id: string | null;
  ok: boolean;
  httpStatus: number | null;
  durationMs: number;
  startedAt: Date;
  responseExcerpt: string | null;
  error: string | null;
  /** The request as sent: testWebhook shows it; the delivery log keeps only the event's body. */
  request?: { url: string; headers: { name: string; value: string }[]; body: string } | null;
};

type RawDelivery = {
  d_id: string;
  d_channel: Channel;
  d_endpoint_id: string | null;
  d_status: DeliveryStatus;
  d_attempt_count: number;
  d_next_attempt_at: Date;
  d_created_at: Date;
} & Parameters<typeof toEventRow>[0];

/**
 * A delivery is listed as soon as it commits, while its event may not be readable yet (an
 * older transaction still running): its Event.cursor is then the readable bound instead of
 * the event's own position (handedOutCursor).
 */
const DELIVERY_SELECT = `select d.id::text as d_id, case when d.channel like 'endpoint:%' then e.channel else d.channel end as d_channel,
  substring(d.channel from '^endpoint:(\\d+)$') as d_endpoint_id, d.status as d_status, d.attempt_count as d_attempt_count,
  d.next_attempt_at as d_next_attempt_at, d.created_at as d_created_at, ${EVENT_COLUMNS}, ${handedOutCursor('r.below')}
  from webhook_deliveries d join events e on e.seq = d.event_seq cross join (select ${READABLE_BELOW} as below) r`;

function toDelivery(raw: RawDelivery): DeliveryRow {
  return {
    id: raw.d_id,
    channel: raw.d_channel,
    endpointId: raw.d_endpoint_id,
    status: raw.d_status,
    attemptCount: raw.d_attempt_count,
    nextAttemptAt: raw.d_status === 'PENDING' ? raw.d_next_attempt_at : null,
    createdAt: raw.d_created_at,
    event: toEventRow(raw),
  };
}

const MAX_BIGINT = 2n ** 63n - 1n;

function parseDeliveryId(id: string, field = 'deliveryId'): string {
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > MAX_BIGINT) {
    throw new ValidationError(`${field} ${describeValue(id)} is not a delivery id`, { field, value: id });
  }
  return id;
}

export async function getDelivery(em: EntityManager, id: string): Promise<DeliveryRow | null> {
  const rows = await em.execute<RawDelivery[]>(`${DELIVERY_SELECT} where d.id = ?`, [parseDeliveryId(id, 'id')]);
  return rows[0] ? toDelivery(rows[0]) : null;
}

export type DeliveryFilter = {
  /** A channel's deliveries (not those of endpoints whose events are of that channel). */
  channel?: Channel | null;
  endpointId?: string | null;
  status?: DeliveryStatus | null;
  eventType?: EventTypeName | null;
  entityId?: string | null;
  createdSince?: Date | null;
  createdBefore?: Date | null;
};

/** Newest first, `first + 1` rows (for the connection's hasNextPage), below the delivery id `before`. */
export async function listDeliveries(em: EntityManager, filter: DeliveryFilter, first: number, before: number | undefined) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.channel) {
    where.push('d.channel = ?');
    params.push(filter.channel);
  }
  if (filter.endpointId) {
    where.push('d.channel = ?');
    params.push(endpointTarget(parseEndpointId(filter.endpointId, 'filter.endpointId')));
  }
  if (filter.status) {
    where.push('d.status = ?');
    params.push(filter.status);
  }
  if (filter.eventType) {
    where.push('e.type = ?');
    params.push(EVENT_TYPES[filter.eventType]);
  }
  if (filter.entityId) {
    if (!/^\d{1,18}$/.test(filter.entityId)) {
      throw new ValidationError(`entityId ${describeValue(filter.entityId)} is not an id`, { field: 'filter.entityId', value: filter.entityId });
    }
    where.push('d.entity_id = ?');
    params.push(filter.entityId);
  }
  if (filter.createdSince) {
    where.push('d.created_at >= ?');
    params.push(filter.createdSince);
  }
  if (filter.createdBefore) {
    where.push('d.created_at < ?');
    params.push(filter.createdBefore);
  }
  if (before !== undefined) {
    where.push('d.id < ?');
    params.push(before);
  }
  const rows = await em.execute<RawDelivery[]>(
    `${DELIVERY_SELECT} ${where.length ? `where ${where.join(' and ')}` : ''} order by d.id desc limit ?`,
    [...params, first + 1],
  );
  return rows.map(toDelivery);
}

export async function attemptsOf(em: EntityManager, deliveryIds: readonly string[]): Promise<AttemptRow[][]> {
  const rows = await em.execute<
    { id: string; delivery_id: string; ok: boolean; http_status: number | null; duration_ms: number; started_at: Date; response_excerpt: string | null; error: string | null }[]
  >(
    `select id::text as id, delivery_id::text as delivery_id, ok, http_status, duration_ms, started_at, response_excerpt, error
     from webhook_attempts where delivery_id in (select value::bigint from jsonb_array_elements_text(?::jsonb)) order by webhook_attempts.id`,
    [JSON.stringify(deliveryIds)],
  );
  const byDelivery = new Map<string, AttemptRow[]>(deliveryIds.map((id) => [id, []]));
  for (const r of rows) {
    byDelivery.get(r.delivery_id)?.push({
      id: r.id,
      ok: r.ok,
      httpStatus: r.http_status,
      durationMs: r.duration_ms,
      startedAt: r.started_at,
      responseExcerpt: r.response_excerpt,
      error: r.error,
    });
  }
  return deliveryIds.map((id) => byDelivery.get(id)!);
}

/**
 * Queues a delivery again, now, with a fresh retry schedule, whatever its status; its
 * webhook-id stays the same. A delivery in flight is left to its attempt.
 *
 * The event is locked first (FOR KEY SHARE, as inserting a delivery for it would): the purge
 * locks the events it deletes FOR UPDATE, so either it waits for this to commit and then sees
 * the delivery waiting, or this waits for the purge and finds the delivery gone (NOT_FOUND).
 * Event before delivery, in the purge's order, so that the two cannot deadlock.
 */
export async function redeliver(em: EntityManager, id: string): Promise<DeliveryRow> {
  const deliveryId = parseDeliveryId(id);
  await em.transactional(async (tx) => {
    const [event] = await tx.execute<{ seq: string }[]>(
      `select e.seq from events e join webhook_deliveries d on d.event_seq = e.seq where d.id = ? for key share of e`,
      [deliveryId],
    );
    const [row] = event
      ? await tx.execute<{ channel: DeliveryTarget; in_flight: boolean }[]>(
          `select d.channel, d.status = 'PENDING' and d.lease_until > now() as in_flight from webhook_deliveries d where d.id = ? for update`,
          [deliveryId],
        )
      : [];
    if (!row) throw new NotFoundError('WebhookDelivery', id);
    await assertChannelOn(tx, row.channel, 'deliveryId', id);
    if (row.in_flight) return;
    await tx.execute(
      `update webhook_deliveries set status = 'PENDING', attempt_count = 0, next_attempt_at = now(), lease_until = null, leased_by = null, completed_at = null
       where id = ?`,
      [deliveryId],
    );
    await tx.execute(`select pg_notify('${NOTIFY.events}', 'redeliver')`);
  });
  return (await getDelivery(em, id))!;
}

/** Nothing is queued on a channel that is off: it would only wait there (channel-state.ts). */
async function assertChannelOn(em: EntityManager, channel: DeliveryTarget, field: string, value: string) {
  const [c] = await em.execute<{ enabled: boolean; url: string | null }[]>('select enabled, url from webhook_channels where channel = ?', [channel]);
  if (!c?.url || !c.enabled) {
    const why = c?.url ? 'is switched off' : 'has no URL';
    throw new ValidationError(`The ${channel} channel ${why}; set it up with configureWebhooks before queuing deliveries on it`, {
      field,
      value,
      channel,
    });
  }
}

/**
 * Queues a channel's events again as new deliveries (same webhook-id), from a cursor or an
 * instant; or an endpoint's deliveries of them again. A dry run only counts. A cursor the purge has passed is refused (CURSOR_EXPIRED),
 * checked in the statement that reads the events. The events are locked FOR KEY SHARE as they
 * are read, as the purge expects (see redeliver): one the purge is deleting is waited for
 * and then left out, never queued and deleted.
 */
export async function replay(
  em: EntityManager,
  input: { channel?: Channel | null; endpointId?: string | null; afterCursor?: string | null; since?: Date | null; dryRun?: boolean | null },
): Promise<{ count: number; queued: boolean }> {
  if (!input.afterCursor && !input.since) {
    throw new ValidationError('A replay needs afterCursor or since', { field: 'afterCursor' });
  }
  if (!input.channel === !input.endpointId) {
    throw new ValidationError('A replay names a channel or an endpointId, not both', { field: 'channel', value: input.channel ?? null });
  }
  const target: DeliveryTarget = input.endpointId ? endpointTarget(parseEndpointId(input.endpointId, 'endpointId')) : input.channel!;
  const where = input.endpointId ? ['d.channel = ?', 'd.event_seq = e.seq'] : ['e.channel = ?'];
  const params: unknown[] = [target];
  const after = input.afterCursor ? decodeCursor(input.afterCursor, 'afterCursor') : undefined;
  if (after) {
    where.push('(e.txid, e.seq) > (?::xid8, ?::bigint)');
    params.push(after.txid, after.seq);
  }
  if (input.since) {
    where.push('e.occurred_at >= ?');
    params.push(input.since);
  }
  where.push(`e.txid < ${READABLE_BELOW}`);
  const field = input.endpointId ? 'endpointId' : 'channel';
  if (!input.dryRun) await assertChannelOn(em, target, field, input.endpointId ?? target);
  // An expired cursor selects nothing, and the purge's mark read in the same statement says why.
  const kept = after ? `(?::xid8, ?::bigint) >= (p.txid, p.seq)` : 'true';
  const keptParams = after ? [after.txid, after.seq] : [];
  const deliveries = input.endpointId ? ', webhook_deliveries d' : '';
  const from = `from events e${deliveries}, events_purged p where ${kept} and ${where.join(' and ')}`;
  // A channel's events are queued again as new deliveries. An endpoint's were each materialised
  // once (its body is the document's result then): its deliveries of them are queued again, as
  // redeliverWebhook does, but for those in flight.
  const queue = input.endpointId
    ? `update webhook_deliveries q set status = 'PENDING', attempt_count = 0, next_attempt_at = now(), lease_until = null, leased_by = null, completed_at = null
       from (select d.id ${from} and not ${deliveryIsInFlight('d')} for key share of e) r where q.id = r.id
       returning 1`
    : `insert into webhook_deliveries (event_seq, channel, entity_id)
       select e.seq, e.channel, e.entity_id ${from} order by e.txid, e.seq for key share of e
       returning 1`;
  const rows = await em.execute<{ n: string; purged_txid: string; purged_seq: string }[]>(
    input.dryRun
      ? `select (select count(*) ${from}) as n, m.txid::text as purged_txid, m.seq::text as purged_seq from events_purged m`
      : `with queued as (${queue})
         select (select count(*) from queued) as n, m.txid::text as purged_txid, m.seq::text as purged_seq,
                pg_notify('${NOTIFY.events}', 'replay')
         from events_purged m`,
    [...keptParams, ...params],
  );
  const [row] = rows;
  if (after) checkNotPurged(after, { txid: row!.purged_txid, seq: row!.purged_seq }, 'afterCursor');
  return { count: Number(row!.n), queued: !input.dryRun };
}
