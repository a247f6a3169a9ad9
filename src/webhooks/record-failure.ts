import pg from 'pg';
import type { SqlPool } from '../db/sql-pool.js';
import { formatDuration } from '../duration.js';
import type { DeliveryTarget } from './target.js';
import { isoSql } from '../events/payload-sql.js';
import { APPEND_OPERATIONAL_EVENTS, channelDisabledPayloadSql, channelEntitySql } from './operational-events.js';
import type { Decision } from './retry-policy.js';
import type { AttemptResult } from './sender.js';
import { NOTIFY } from '../db/notify-channels.js';
import { targetIsTold, deliveryIsWaiting } from './sql-conditions.js';


export type FailedAttempt = {
  deliveryId: string;
  channel: DeliveryTarget;
  workerId: string;
  result: AttemptResult;
  decision: Exclude<Decision, { action: 'succeeded' }>;
  disableAfterMs: number;
  /** WEBHOOK_CIRCUIT_FAILURES: the failure in a row that opens the circuit is told as channel.failing. */
  circuitFailures: number;
};

/**
 * A failed attempt and everything it leads to, in one statement (one implicit transaction):
 * - the attempt row;
 * - the channel's health: failing since when, failures in a row; and the channel switched
 *   off, saying when and why, when the receiver answered 410 ($11, reason $13) or has failed
 *   without a success for WEBHOOK_DISABLE_AFTER ($12 seconds, shown as $14);
 * - the delivery's next attempt, or its end when the schedule is spent or the channel is off,
 *   written only while this instance still holds the lease;
 * - when the channel went off, what waits on it fails (a waiting delivery, as for a switch-off by
 *   hand), so that nothing is claimed on it in between;
 * - the operational events this causes: channel.failing when this failure opens the circuit
 *   ($15 in a row), channel.disabled when the channel went off, delivery.failed when the
 *   retry schedule is spent (operational-events.ts).
 */
const RECORD_FAILURE_SQL = `
with attempt as (
  insert into webhook_attempts (delivery_id, channel, started_at, duration_ms, http_status, ok, response_excerpt, error)
  values ($1, $7, $2, $3, $4, false, $5, $6)
  returning id
), verdict as (
  select channel, coalesce(failing_since, now()) as failing_since,
    $11 or now() - coalesce(failing_since, now()) >= make_interval(secs => $12) as switch_off
  from webhook_channels where channel = $7 and enabled
  for update
), health as (
  update webhook_channels c
  set failing_since = v.failing_since, consecutive_failures = c.consecutive_failures + 1,
      enabled = not v.switch_off,
      disabled_at = case when v.switch_off then now() else c.disabled_at end,
      disabled_reason = case when not v.switch_off then c.disabled_reason
        when $11 then $13
        else 'no attempt succeeded since ' || to_char(v.failing_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' (WEBHOOK_DISABLE_AFTER is ' || $14 || ')' end,
      updated_at = case when v.switch_off then now() else c.updated_at end
  from verdict v
  where c.channel = v.channel
  returning c.channel, c.url, c.enabled, c.consecutive_failures, c.failing_since, c.disabled_at, c.disabled_reason
), delivery as (
  update webhook_deliveries d
  set status = case when $8 and c.is_on then 'PENDING' else 'FAILED' end,
      completed_at = case when $8 and c.is_on then null else now() end,
      next_attempt_at = case when $8 and c.is_on then now() + make_interval(secs => $9) else d.next_attempt_at end,
      lease_until = null, leased_by = null
  from (select coalesce((select enabled from health), false) and url is not null as is_on from webhook_channels where channel = $7) c
  where d.id = $1 and d.leased_by = $10
  returning d.id, d.status, d.event_seq, d.channel, d.entity_id, d.attempt_count
), waiting as (
  update webhook_deliveries w set status = 'FAILED', completed_at = now(), lease_until = null, leased_by = null
  where w.channel = $7 and w.id <> $1 and ${deliveryIsWaiting('w')}
    and exists (select 1 from health where not health.enabled)
  returning w.id
), last_attempt as (
  select json_build_object('http_status', $4::int, 'error', $6::text, 'at', ${isoSql('$2::timestamptz')}) as body
), ops (type, entity_id, payload) as (
  select 'channel.failing', ${channelEntitySql('h.channel')}, json_build_object(
      'channel', lower(h.channel), 'url', h.url, 'consecutive_failures', h.consecutive_failures,
      'failing_since', ${isoSql('h.failing_since')}, 'last_attempt', (select body from last_attempt))
    from health h where ${targetIsTold('h')} and h.consecutive_failures = $15
  union all
  select 'channel.disabled', ${channelEntitySql('h.channel')},
      ${channelDisabledPayloadSql('h', 'h.disabled_reason', "(select count(*) from waiting) + (select count(*) from delivery where delivery.status = 'FAILED')")}
    from health h where ${targetIsTold('h')} and not h.enabled
  union all
  select 'delivery.failed', d.id, json_build_object(
      'delivery_id', d.id::text, 'event_id', e.id, 'event_type', e.type, 'channel', lower(d.channel), 'entity_id', d.entity_id,
      'attempts', d.attempt_count, 'last_attempt', (select body from last_attempt), 'failed_at', ${isoSql('now()')})
    from delivery d join events e on e.seq = d.event_seq
    where ${targetIsTold('d')} and d.status = 'FAILED' and exists (select 1 from health where health.enabled)
), ${APPEND_OPERATIONAL_EVENTS}
select (select not enabled from health) as switched_off, (select id::text from attempt) as attempt_id,
  pg_notify('${NOTIFY.deliveries}', $1::text), (select n from ops_notified) as operational_events`;

/**
 * Whether PostgreSQL refused a statement and nothing of it was written: an error reply
 * (not FATAL) ends only the statement's implicit transaction, and the connection lives on.
 * A lost connection says nothing of the kind (it may have committed), so it is not one.
 */
export function refusedByDatabase(err: unknown): boolean {
  return err instanceof pg.DatabaseError && err.severity === 'ERROR';
}

/** Text of printable ASCII only, which any column takes: what a record falls back to. */
function plainText(text: string | null): string | null {
  return text === null ? null : text.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Records a failed attempt. The sender already made the answer's excerpt storable; should
 * PostgreSQL refuse the record all the same, whatever the reason, the attempt is recorded
 * without its excerpt (and with its error in plain ASCII), so that the schedule, the circuit
 * breaker and the channel's health still move on. `excerptRefused` says why it was dropped.
 */
/** What a failed attempt's record did: the attempt's id in the delivery log, whether its channel went off, and why an excerpt was dropped. */
export type FailureRecorded = { attemptId: string; channelDisabled: boolean; excerptRefused?: unknown };

export async function recordFailure(sql: SqlPool, opts: FailedAttempt): Promise<FailureRecorded> {
  try {
    return await writeFailure(sql, opts, opts.result.responseExcerpt, opts.result.error);
  } catch (err) {
    if (!refusedByDatabase(err)) throw err;
    return { ...(await writeFailure(sql, opts, null, plainText(opts.result.error))), excerptRefused: err };
  }
}

async function writeFailure(sql: SqlPool, opts: FailedAttempt, excerpt: string | null, error: string | null): Promise<FailureRecorded> {
  const { result, decision } = opts;
  const retry = decision.action === 'retry';
  const gone = decision.action === 'disable-channel';
  const { rows } = await sql.query<{ switched_off: boolean | null; attempt_id: string }>({
    name: 'record-failure',
    text: RECORD_FAILURE_SQL,
    values: [
      opts.deliveryId,
      result.startedAt,
      result.durationMs,
      result.httpStatus,
      excerpt,
      error,
      opts.channel,
      retry,
      retry ? decision.delayMs / 1000 : 0,
      opts.workerId,
      gone,
      opts.disableAfterMs / 1000,
      gone ? decision.reason : null,
      formatDuration(opts.disableAfterMs),
      opts.circuitFailures,
    ],
  });
  return { attemptId: rows[0]!.attempt_id, channelDisabled: rows[0]!.switched_off === true };
}
