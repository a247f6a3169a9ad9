import type { SqlPool } from '../db/sql-pool.js';
import type { DeliveryTarget } from './target.js';
import { channelIsOn, deliveryIsDue, deliveryIsEntityHead, deliveryIsInFlight, deliveryIsPending, previousSecretWhileValid } from './sql-conditions.js';

export type ClaimedDelivery = {
  id: string;
  attempt: number;
  channel: DeliveryTarget;
  url: string;
  eventId: string;
  eventType: string;
  entityId: string;
  body: string;
  bearerToken: string | null;
  signingSecret: string;
  previousSigningSecret: string | null;
};

/** The webhook settings an attempt needs (signing, bearer token, offline mode), as the CTE `settings`. */
export const SETTINGS_CTE = `settings as (
  select bearer_token, signing_secret, offline_mode,
    ${previousSecretWhileValid('')} as previous_signing_secret
  from webhook_settings where id = 1)`;

/**
 * Leases the deliveries whose ids the CTE `due (id)` holds to a worker, counting the attempt,
 * and returns what sending each needs (the row of ClaimedRow, and `extra` columns): an
 * endpoint's delivery carries its own body and is signed with the endpoint's secret. `leaseSecs`
 * and `workerId` are the SQL of the lease's length in seconds and of the worker's id. Needs
 * the CTE `settings` (SETTINGS_CTE).
 */
export const leaseDue = (leaseSecs: string, workerId: string, extra = '') => `update webhook_deliveries d
set lease_until = now() + make_interval(secs => ${leaseSecs}), leased_by = ${workerId}, attempt_count = d.attempt_count + 1
from due, events e, webhook_channels c, settings s
where d.id = due.id and e.seq = d.event_seq and c.channel = d.channel
returning d.id::text as id, d.attempt_count as attempt, d.channel, c.url, e.id as event_id, e.type as event_type,
  e.entity_id::text as entity_id, coalesce(d.body, e.payload::text) as body, s.bearer_token,
  coalesce(c.signing_secret, s.signing_secret) as signing_secret,
  case when c.endpoint_id is null then s.previous_signing_secret
       else ${previousSecretWhileValid('c')} end as previous_signing_secret${extra ? `, ${extra}` : ''}`;

/** A delivery as leaseDue returns it. */
export type ClaimedRow = {
  id: string;
  attempt: number;
  channel: DeliveryTarget;
  url: string;
  event_id: string;
  event_type: string;
  entity_id: string;
  body: string;
  bearer_token: string | null;
  signing_secret: string;
  previous_signing_secret: string | null;
};

export function toClaimed(r: ClaimedRow): ClaimedDelivery {
  return {
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
  };
}

/**
 * One statement claims due work for one instance (graphile-worker's getJobs): the head of
 * each entity's queue per channel (an earlier pending delivery of the same document,
 * contact or folder holds the later ones back), skipping rows other instances hold, with a
 * lease that another instance may take over once it runs out (a crashed instance's claims).
 * The statement that records successes (record-successes.ts) also claims, for each, the next
 * delivery of its entity, under the same rules.
 *
 * The circuit breaker: a channel whose last WEBHOOK_CIRCUIT_FAILURES attempts all failed gets
 * one attempt at a time (the second branch: no claim while any instance has one under way)
 * until one succeeds, so a receiver that hangs or refuses holds one worker slot, not all of
 * them, and other channels and the API keep their pace.
 */
const CLAIM_SQL = `
with ${SETTINGS_CTE},
open_channels as (
  select c.channel,
    exists (select 1 from webhook_deliveries f where f.channel = c.channel and ${deliveryIsInFlight('f')}) as busy
  from webhook_channels c
  where ${channelIsOn('c')} and c.consecutive_failures >= $1
),
closed_due as (
  select d.id from webhook_deliveries d
  join webhook_channels c on c.channel = d.channel
  where ${deliveryIsDue('d')}
    and ${channelIsOn('c')} and c.consecutive_failures < $1
    and not (select offline_mode from settings)
    and ${deliveryIsEntityHead('d')}
  order by d.next_attempt_at, d.id
  limit $2
  for update of d skip locked
),
probes as (
  select probe.id from open_channels o cross join lateral (
    select d.id from webhook_deliveries d
    where d.channel = o.channel and ${deliveryIsDue('d')}
      and ${deliveryIsEntityHead('d')}
    order by d.next_attempt_at, d.id
    limit 1
    for update of d skip locked
  ) probe
  where not o.busy and not (select offline_mode from settings)
),
due as (select id from (select id from closed_due union all select id from probes) claimable limit $2)
${leaseDue('$3', '$4')}`;

export async function claimDeliveries(
  sql: SqlPool,
  opts: { limit: number; leaseMs: number; workerId: string; circuitFailures: number },
): Promise<ClaimedDelivery[]> {
  const { rows } = await sql.query<ClaimedRow>({
    name: 'claim-deliveries',
    text: CLAIM_SQL,
    values: [opts.circuitFailures, opts.limit, opts.leaseMs / 1000, opts.workerId],
  });
  return rows.map(toClaimed);
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
             select id from webhook_deliveries m where m.leased_by = $2 and ${deliveryIsPending('m')} and m.id = any($3::bigint[]) order by m.id for update)
           update webhook_deliveries d set lease_until = now() + make_interval(secs => $1) from mine where d.id = mine.id`,
    values: [opts.leaseMs / 1000, opts.workerId, opts.ids],
  });
}
