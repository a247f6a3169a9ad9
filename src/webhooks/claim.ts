import type { SqlPool } from '../db/sql-pool.js';
import type { Channel } from '../events/event-types.js';

export type ClaimedDelivery = {
  id: string;
  attempt: number;
  channel: Channel;
  url: string;
  eventId: string;
  eventType: string;
  entityId: string;
  body: string;
  bearerToken: string | null;
  signingSecret: string;
  previousSigningSecret: string | null;
};

/**
 * One statement claims due work for one instance (graphile-worker's getJobs): the head of
 * each entity's queue per channel (an earlier pending delivery of the same document,
 * contact or folder holds the later ones back), skipping rows other instances hold, with a
 * lease that another instance may take over once it runs out (a crashed instance's claims).
 *
 * The circuit breaker: a channel whose last WEBHOOK_CIRCUIT_FAILURES attempts all failed gets
 * one attempt at a time (the second branch: no claim while any instance has one under way)
 * until one succeeds, so a receiver that hangs or refuses holds one worker slot, not all of
 * them, and other channels and the API keep their pace.
 */
const CLAIM_SQL = `
with settings as (
  select bearer_token, signing_secret, offline_mode,
    case when previous_secret_expires_at > now() then previous_signing_secret end as previous_signing_secret
  from webhook_settings where id = 1),
open_channels as (
  select c.channel,
    exists (select 1 from webhook_deliveries f
            where f.channel = c.channel and f.status = 'PENDING' and f.leased_by is not null and f.lease_until > now()) as busy
  from webhook_channels c
  where c.enabled and c.url is not null and c.consecutive_failures >= $1
),
closed_due as (
  select d.id from webhook_deliveries d
  join webhook_channels c on c.channel = d.channel
  where d.status = 'PENDING' and d.next_attempt_at <= now()
    and (d.lease_until is null or d.lease_until < now())
    and c.enabled and c.url is not null and c.consecutive_failures < $1
    and not (select offline_mode from settings)
    and not exists (
      select 1 from webhook_deliveries p
      where p.status = 'PENDING' and p.channel = d.channel and p.entity_id = d.entity_id and p.id < d.id)
  order by d.next_attempt_at, d.id
  limit $2
  for update of d skip locked
),
probes as (
  select probe.id from open_channels o cross join lateral (
    select d.id from webhook_deliveries d
    where d.channel = o.channel and d.status = 'PENDING' and d.next_attempt_at <= now()
      and (d.lease_until is null or d.lease_until < now())
      and not exists (
        select 1 from webhook_deliveries p
        where p.status = 'PENDING' and p.channel = d.channel and p.entity_id = d.entity_id and p.id < d.id)
    order by d.next_attempt_at, d.id
    limit 1
    for update of d skip locked
  ) probe
  where not o.busy and not (select offline_mode from settings)
),
due as (select id from (select id from closed_due union all select id from probes) claimable limit $2)
update webhook_deliveries d
set lease_until = now() + make_interval(secs => $3), leased_by = $4, attempt_count = d.attempt_count + 1
from due, events e, webhook_channels c, settings s
where d.id = due.id and e.seq = d.event_seq and c.channel = d.channel
returning d.id::text as id, d.attempt_count as attempt, d.channel, c.url, e.id as event_id, e.type as event_type,
  e.entity_id::text as entity_id, e.payload::text as body, s.bearer_token, s.signing_secret, s.previous_signing_secret`;

export async function claimDeliveries(
  sql: SqlPool,
  opts: { limit: number; leaseMs: number; workerId: string; circuitFailures: number },
): Promise<ClaimedDelivery[]> {
  const { rows } = await sql.query<{
    id: string;
    attempt: number;
    channel: Channel;
    url: string;
    event_id: string;
    event_type: string;
    entity_id: string;
    body: string;
    bearer_token: string | null;
    signing_secret: string;
    previous_signing_secret: string | null;
  }>({ name: 'claim-deliveries', text: CLAIM_SQL, values: [opts.circuitFailures, opts.limit, opts.leaseMs / 1000, opts.workerId] });
  return rows.map((r) => ({
    id: r.id,
    attempt: r.attempt,
    channel: r.channel,
    url: r.url,
    eventId: r.event_id,
    eventType: r.event_type,
    entityId: r.entity_id,
    body: r.body,
    bearerToken: r.bearer_token,
    signingSecret: r.signing_secret,
    previousSigningSecret: r.previous_signing_secret,
  }));
}

/**
 * Extends the leases this instance holds on the deliveries it is sending, so that a slow
 * answer or a slow write of its record never lets another instance send the same delivery
 * again; only a dead instance stops renewing, and its leases then run out.
 */
export async function renewLeases(sql: SqlPool, opts: { ids: readonly string[]; leaseMs: number; workerId: string }): Promise<void> {
  if (opts.ids.length === 0) return;
  await sql.query({
    name: 'renew-leases',
    // Rows locked in id order, as record-successes.ts locks them: in any other order the two
    // statements could deadlock over the same batch.
    text: `with mine as (
             select id from webhook_deliveries where leased_by = $2 and status = 'PENDING' and id = any($3::bigint[]) order by id for update)
           update webhook_deliveries d set lease_until = now() + make_interval(secs => $1) from mine where d.id = mine.id`,
    values: [opts.leaseMs / 1000, opts.workerId, opts.ids],
  });
}
