import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError, describeValue } from '../errors.js';
import { EVENT_TYPES, type Channel, type EventTypeName } from '../events/event-types.js';
import { EVENT_COLUMNS, READABLE_BELOW, decodeCursor, toEventRow, type EventRow } from '../outbox/event-log.js';
import { EVENTS_NOTIFY_CHANNEL } from '../outbox/record-event.js';

/** The delivery log: a product feature, read by `webhookDeliveries` and written by the worker. */
export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export type DeliveryRow = {
  id: string;
  channel: Channel;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  event: EventRow;
};

export type AttemptRow = {
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
  d_status: DeliveryStatus;
  d_attempt_count: number;
  d_next_attempt_at: Date;
  d_created_at: Date;
} & Parameters<typeof toEventRow>[0];

const DELIVERY_SELECT = `select d.id::text as d_id, d.channel as d_channel, d.status as d_status, d.attempt_count as d_attempt_count,
  d.next_attempt_at as d_next_attempt_at, d.created_at as d_created_at, ${EVENT_COLUMNS}
  from webhook_deliveries d join events e on e.seq = d.event_seq`;

function toDelivery(raw: RawDelivery): DeliveryRow {
  return {
    id: raw.d_id,
    channel: raw.d_channel,
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
  channel?: Channel | null;
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
    { delivery_id: string; ok: boolean; http_status: number | null; duration_ms: number; started_at: Date; response_excerpt: string | null; error: string | null }[]
  >(
    `select delivery_id::text as delivery_id, ok, http_status, duration_ms, started_at, response_excerpt, error
     from webhook_attempts where delivery_id in (select value::bigint from jsonb_array_elements_text(?::jsonb)) order by id`,
    [JSON.stringify(deliveryIds)],
  );
  const byDelivery = new Map<string, AttemptRow[]>(deliveryIds.map((id) => [id, []]));
  for (const r of rows) {
    byDelivery.get(r.delivery_id)?.push({
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
 */
export async function redeliver(em: EntityManager, id: string): Promise<DeliveryRow> {
  const deliveryId = parseDeliveryId(id);
  await em.transactional(async (tx) => {
    const [row] = await tx.execute<{ channel: Channel; in_flight: boolean }[]>(
      `select d.channel, d.status = 'PENDING' and d.lease_until > now() as in_flight from webhook_deliveries d where d.id = ? for update`,
      [deliveryId],
    );
    if (!row) throw new NotFoundError('WebhookDelivery', id);
    await assertChannelOn(tx, row.channel, 'deliveryId', id);
    if (row.in_flight) return;
    await tx.execute(
      `update webhook_deliveries set status = 'PENDING', attempt_count = 0, next_attempt_at = now(), lease_until = null, leased_by = null, completed_at = null
       where id = ?`,
      [deliveryId],
    );
    await tx.execute(`select pg_notify('${EVENTS_NOTIFY_CHANNEL}', 'redeliver')`);
  });
  return (await getDelivery(em, id))!;
}

/** Nothing is queued on a channel that is off: it would only wait there (channel-state.ts). */
async function assertChannelOn(em: EntityManager, channel: Channel, field: string, value: string) {
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
 * instant. A dry run only counts.
 */
export async function replay(
  em: EntityManager,
  input: { channel: Channel; afterCursor?: string | null; since?: Date | null; dryRun?: boolean | null },
): Promise<{ count: number; queued: boolean }> {
  if (!input.afterCursor && !input.since) {
    throw new ValidationError('A replay needs afterCursor or since', { field: 'afterCursor' });
  }
  const where = ['e.channel = ?'];
  const params: unknown[] = [input.channel];
  if (input.afterCursor) {
    const p = decodeCursor(input.afterCursor, 'afterCursor');
    where.push('(e.txid, e.seq) > (?::xid8, ?::bigint)');
    params.push(p.txid, p.seq);
  }
  if (input.since) {
    where.push('e.occurred_at >= ?');
    params.push(input.since);
  }
  where.push(`e.txid < ${READABLE_BELOW}`);
  if (input.dryRun) {
    const [row] = await em.execute<{ n: string }[]>(`select count(*) as n from events e where ${where.join(' and ')}`, params);
    return { count: Number(row!.n), queued: false };
  }
  await assertChannelOn(em, input.channel, 'channel', input.channel);
  const rows = await em.execute<{ n: string }[]>(
    `with queued as (
       insert into webhook_deliveries (event_seq, channel, entity_id)
       select e.seq, e.channel, e.entity_id from events e where ${where.join(' and ')} order by e.txid, e.seq
       returning 1)
     select count(*) as n, pg_notify('${EVENTS_NOTIFY_CHANNEL}', 'replay') from queued`,
    params,
  );
  return { count: Number(rows[0]!.n), queued: true };
}
