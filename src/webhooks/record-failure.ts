import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlPool } from '../db/sql-pool.js';
import { formatDuration } from '../duration.js';
import type { Channel } from '../events/event-types.js';
import { disableChannel } from './channel-state.js';
import type { Decision } from './retry-policy.js';
import type { AttemptResult } from './sender.js';

export const DELIVERY_NOTIFY_CHANNEL = 'recordengine_deliveries';

export type FailedAttempt = {
  deliveryId: string;
  channel: Channel;
  workerId: string;
  result: AttemptResult;
  decision: Exclude<Decision, { action: 'succeeded' }>;
  disableAfterMs: number;
};

/**
 * A failed attempt and its consequences in one statement (one implicit transaction): the
 * attempt row; the channel's health (failing since when, failures in a row), switched off
 * when the receiver answered 410 ($11) or has failed without a success for
 * WEBHOOK_DISABLE_AFTER ($12 seconds); and the delivery's next attempt, or its end when the
 * schedule is spent or the channel is off, written only while this instance still holds the
 * lease. The channel goes off in the same statement, so that no instance claims on it again.
 */
const RECORD_FAILURE_SQL = `
with attempt as (
  insert into webhook_attempts (delivery_id, started_at, duration_ms, http_status, ok, response_excerpt, error)
  values ($1, $2, $3, $4, false, $5, $6)
), health as (
  update webhook_channels
  set failing_since = coalesce(failing_since, now()), consecutive_failures = consecutive_failures + 1,
      enabled = not ($11 or now() - coalesce(failing_since, now()) >= make_interval(secs => $12))
  where channel = $7 and enabled
  returning enabled, extract(epoch from now() - failing_since) * 1000 as failing_for_ms
), delivery as (
  update webhook_deliveries d
  set status = case when $8 and c.is_on then 'PENDING' else 'FAILED' end,
      completed_at = case when $8 and c.is_on then null else now() end,
      next_attempt_at = case when $8 and c.is_on then now() + make_interval(secs => $9) else d.next_attempt_at end,
      lease_until = null, leased_by = null
  from (select coalesce((select enabled from health), false) and url is not null as is_on from webhook_channels where channel = $7) c
  where d.id = $1 and d.leased_by = $10
)
select (select failing_for_ms from health) as failing_for_ms, (select not enabled from health) as switched_off,
  pg_notify('${DELIVERY_NOTIFY_CHANNEL}', $1::text)`;

/**
 * Records a failed attempt in one statement. When it switched the channel off, a transaction
 * of its own then says why and fails what waits on the channel.
 */
export async function recordFailure(sql: SqlPool, em: EntityManager, opts: FailedAttempt): Promise<{ channelDisabled: boolean }> {
  const { result, decision } = opts;
  const retry = decision.action === 'retry';
  const { rows } = await sql.query<{ failing_for_ms: number | null; switched_off: boolean | null }>({
    name: 'record-failure',
    text: RECORD_FAILURE_SQL,
    values: [
      opts.deliveryId,
      result.startedAt,
      result.durationMs,
      result.httpStatus,
      result.responseExcerpt,
      result.error,
      opts.channel,
      retry,
      retry ? decision.delayMs / 1000 : 0,
      opts.workerId,
      decision.action === 'disable-channel',
      opts.disableAfterMs / 1000,
    ],
  });
  if (!rows[0]?.switched_off) return { channelDisabled: false };
  const failingForMs = Number(rows[0].failing_for_ms ?? 0);
  const reason =
    decision.action === 'disable-channel'
      ? decision.reason
      : `no attempt succeeded for ${formatDuration(failingForMs)} (WEBHOOK_DISABLE_AFTER is ${formatDuration(opts.disableAfterMs)})`;
  await em.transactional((tx) => disableChannel(tx, opts.channel, reason));
  return { channelDisabled: true };
}
