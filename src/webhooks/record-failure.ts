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
 * attempt row, the channel's health (failing since when, failures in a row), and the
 * delivery's next attempt, or its end when the schedule is spent or the channel is off,
 * written only while this instance still holds the lease. Returns how long the channel has
 * been failing.
 */
const RECORD_FAILURE_SQL = `
with attempt as (
  insert into webhook_attempts (delivery_id, started_at, duration_ms, http_status, ok, response_excerpt, error)
  values ($1, $2, $3, $4, false, $5, $6)
), health as (
  update webhook_channels set failing_since = coalesce(failing_since, now()), consecutive_failures = consecutive_failures + 1
  where channel = $7 and enabled
  returning extract(epoch from now() - failing_since) * 1000 as failing_for_ms
), delivery as (
  update webhook_deliveries d
  set status = case when $8 and c.is_on then 'PENDING' else 'FAILED' end,
      completed_at = case when $8 and c.is_on then null else now() end,
      next_attempt_at = case when $8 and c.is_on then now() + make_interval(secs => $9) else d.next_attempt_at end,
      lease_until = null, leased_by = null
  from (select enabled and url is not null as is_on from webhook_channels where channel = $7) c
  where d.id = $1 and d.leased_by = $10
)
select (select failing_for_ms from health) as failing_for_ms, pg_notify('${DELIVERY_NOTIFY_CHANNEL}', $1::text)`;

/**
 * Records a failed attempt. The common case is one statement; the service switching the
 * channel off (a 410, or failing without a success for WEBHOOK_DISABLE_AFTER) follows in a
 * transaction of its own, which also fails what waits on the channel.
 */
export async function recordFailure(sql: SqlPool, em: EntityManager, opts: FailedAttempt): Promise<{ channelDisabled: boolean }> {
  const { result, decision } = opts;
  const retry = decision.action === 'retry';
  const { rows } = await sql.query<{ failing_for_ms: number | null }>({
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
    ],
  });
  const failingForMs = rows[0]?.failing_for_ms == null ? 0 : Number(rows[0].failing_for_ms);
  const reason =
    decision.action === 'disable-channel'
      ? decision.reason
      : failingForMs >= opts.disableAfterMs
        ? `no attempt succeeded for ${formatDuration(failingForMs)} (WEBHOOK_DISABLE_AFTER is ${formatDuration(opts.disableAfterMs)})`
        : undefined;
  if (reason === undefined) return { channelDisabled: false };
  await em.transactional((tx) => disableChannel(tx, opts.channel, reason));
  return { channelDisabled: true };
}
