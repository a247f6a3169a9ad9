import type { SqlPool } from '../db/sql-pool.js';
import { ValidationError, describeValue } from '../errors.js';
import type { Channel } from '../events/event-types.js';

/** The longest window the overview reads: a day of attempts. */
export const MAX_OVERVIEW_MINUTES = 1_440;

export type OverviewTarget = {
  channel: Channel | null;
  endpointId: string | null;
  url: string | null;
  enabled: boolean;
  failingSince: Date | null;
  consecutiveFailures: number;
  succeeded: number;
  failed: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  pending: number;
  oldestPendingAt: Date | null;
};

export type OverviewMinute = { at: Date; succeeded: number; failed: number; latencyP50Ms: number | null; latencyP99Ms: number | null };

export type WebhookOverviewRow = { from: Date; to: Date; targets: OverviewTarget[]; minutes: OverviewMinute[] };

/**
 * One statement: the attempts that started in the window (found by their start, so the cost
 * follows the window, not the log), grouped once by target and once by minute, and what waits
 * per target (the pending deliveries, a partial index's rows). Latency is an attempt's
 * duration, from the request sent to the answer read.
 *
 * An attempt carries its target, and the index on its start carries all that is read of it
 * here, so the window is read from that index without visiting the deliveries. An attempt
 * written without its target (by an instance of the previous release, during a rolling
 * upgrade) takes its delivery's.
 */
const OVERVIEW_SQL = `
with bounds as (select now() as to_at, now() - make_interval(mins => $1) as from_at),
recent as (
  select coalesce(a.channel, (select d.channel from webhook_deliveries d where d.id = a.delivery_id)) as channel,
    a.ok, a.duration_ms, a.started_at
  from bounds b
  join webhook_attempts a on a.started_at >= b.from_at and a.started_at <= b.to_at
),
by_target as (
  select channel,
    count(*) filter (where ok) as succeeded,
    count(*) filter (where not ok) as failed,
    percentile_disc(0.5) within group (order by duration_ms) as p50,
    percentile_disc(0.99) within group (order by duration_ms) as p99
  from recent group by channel
),
by_minute as (
  select date_trunc('minute', started_at) as at,
    count(*) filter (where ok) as succeeded,
    count(*) filter (where not ok) as failed,
    percentile_disc(0.5) within group (order by duration_ms) as p50,
    percentile_disc(0.99) within group (order by duration_ms) as p99
  from recent group by 1
),
waiting as (
  select channel, count(*) as pending, min(created_at) as oldest
  from webhook_deliveries where status = 'PENDING' group by channel
)
select
  (select from_at from bounds) as from_at,
  (select to_at from bounds) as to_at,
  (select coalesce(json_agg(json_build_object(
      'target', c.channel, 'endpointId', c.endpoint_id::text, 'url', c.url, 'enabled', c.enabled,
      'failingSince', c.failing_since, 'consecutiveFailures', c.consecutive_failures,
      'succeeded', coalesce(t.succeeded, 0), 'failed', coalesce(t.failed, 0), 'p50', t.p50, 'p99', t.p99,
      'pending', coalesce(w.pending, 0), 'oldest', w.oldest
    ) order by c.endpoint_id nulls first, c.channel), '[]')
    from webhook_channels c
    left join by_target t on t.channel = c.channel
    left join waiting w on w.channel = c.channel) as targets,
  (select coalesce(json_agg(json_build_object(
      'at', m.at, 'succeeded', coalesce(x.succeeded, 0), 'failed', coalesce(x.failed, 0), 'p50', x.p50, 'p99', x.p99
    ) order by m.at), '[]')
    from bounds b
    cross join generate_series(date_trunc('minute', b.from_at), b.to_at, interval '1 minute') as m(at)
    left join by_minute x on x.at = m.at) as minutes`;

type RawTarget = {
  target: string;
  endpointId: string | null;
  url: string | null;
  enabled: boolean;
  failingSince: string | null;
  consecutiveFailures: number;
  succeeded: number;
  failed: number;
  p50: number | null;
  p99: number | null;
  pending: number;
  oldest: string | null;
};
type RawMinute = { at: string; succeeded: number; failed: number; p50: number | null; p99: number | null };

const date = (text: string | null): Date | null => (text === null ? null : new Date(text));

export function checkOverviewWindow(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_OVERVIEW_MINUTES) {
    throw new ValidationError(`windowMinutes ${describeValue(minutes)} must be a whole number from 1 to ${MAX_OVERVIEW_MINUTES}`, {
      field: 'windowMinutes',
      value: minutes,
    });
  }
  return minutes;
}

/** Per channel and endpoint, and per minute, how the webhooks fared in the last `minutes`. */
export async function webhookOverview(sql: SqlPool, minutes: number): Promise<WebhookOverviewRow> {
  const { rows } = await sql.query<{ from_at: Date; to_at: Date; targets: RawTarget[]; minutes: RawMinute[] }>(OVERVIEW_SQL, [checkOverviewWindow(minutes)]);
  const row = rows[0]!;
  return {
    from: row.from_at,
    to: row.to_at,
    targets: row.targets.map((t) => ({
      channel: t.endpointId === null ? (t.target as Channel) : null,
      endpointId: t.endpointId,
      url: t.url,
      enabled: t.enabled,
      failingSince: date(t.failingSince),
      consecutiveFailures: t.consecutiveFailures,
      succeeded: t.succeeded,
      failed: t.failed,
      latencyP50Ms: t.p50,
      latencyP99Ms: t.p99,
      pending: t.pending,
      oldestPendingAt: date(t.oldest),
    })),
    minutes: row.minutes.map((m) => ({ at: new Date(m.at), succeeded: m.succeeded, failed: m.failed, latencyP50Ms: m.p50, latencyP99Ms: m.p99 })),
  };
}
