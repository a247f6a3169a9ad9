import { NOTIFY } from '../db/notify-channels.js';
import type { SqlPool } from '../db/sql-pool.js';
import type { DeliveryTarget } from './target.js';
import { SETTINGS_CTE, leaseDue, toClaimed, type ClaimedDelivery, type ClaimedRow } from './claim.js';
import { isoSql } from '../events/payload-sql.js';
import { APPEND_OPERATIONAL_EVENTS, channelEntitySql } from './operational-events.js';
import { refusedByDatabase } from './record-failure.js';
import type { AttemptResult } from './sender.js';
import { channelIsOn, targetIsTold, deliveryIsDue, deliveryIsEntityHead } from './sql-conditions.js';

export type Success = {
  deliveryId: string;
  channel: DeliveryTarget;
  result: AttemptResult;
  /** Whether to claim the next delivery of the same entity with this success's record (the worker has room for it and is not stopping). */
  chainNext: boolean;
};

/**
 * What record-failure.ts writes for a success, for many successes in one statement (one
 * statement is one transaction): the attempt rows, the channels' health cleared, each
 * delivery SUCCEEDED while this instance still holds its lease, a NOTIFY per delivery, and
 * channel.recovered for a channel whose circuit was open ($3 failures in a row or more).
 * Every data-modifying CTE runs to completion whether or not the final select reads it.
 *
 * And the next delivery of each delivered entity, so that one document, contact or folder
 * changed many times a second is not held to two round trips (this record, then a claim)
 * between its deliveries: for each delivery recorded here as SUCCEEDED (held by this instance
 * until now) and asked to chain, the next PENDING delivery of the same channel and entity is
 * leased to this instance and returned, when claim.ts would take it once this commits:
 * - it is due, and no instance holds it;
 * - it is the head of its entity's queue once this delivery is SUCCEEDED (no other earlier
 *   pending delivery of the entity: a redelivered older one goes first, through the claim);
 * - its channel is on and offline mode is off;
 * - the circuit breaker: this statement records a success of the channel, which closes its
 *   circuit (healthy), so the channel is at its full pace when this commits.
 * Rows are taken with SKIP LOCKED, so this never waits for a claim that looks at them.
 */
const RECORD_SUCCESSES_SQL = `
with done as (
  select * from jsonb_to_recordset($1::jsonb)
    as t(delivery_id bigint, channel text, started_at timestamptz, duration_ms int, http_status int, response_excerpt text, chain_next boolean)
), attempts as (
  insert into webhook_attempts (delivery_id, channel, started_at, duration_ms, http_status, ok, response_excerpt, error)
  select delivery_id, channel, started_at, duration_ms, http_status, true, response_excerpt, null from done
  returning id, delivery_id
), prev as (
  -- The rows as they are, locked (in one order, so that two batches never deadlock): a failure
  -- committed while this waited for it counts. RETURNING below gives the new values.
  select channel, consecutive_failures, failing_since from webhook_channels
  where channel in (select channel from done) and (failing_since is not null or consecutive_failures > 0)
  order by channel
  for update
), healthy as (
  update webhook_channels c set failing_since = null, consecutive_failures = 0
  from prev
  where prev.channel = c.channel
  returning c.channel, c.url, prev.consecutive_failures as failures, prev.failing_since
), ops (type, entity_id, payload) as (
  select 'channel.recovered', ${channelEntitySql('h.channel')}, json_build_object(
      'channel', lower(h.channel), 'url', h.url, 'failing_since', ${isoSql('h.failing_since')},
      'failed_attempts', h.failures, 'recovered_at', ${isoSql('now()')})
  from healthy h where ${targetIsTold('h')} and h.failures >= $3
), ${APPEND_OPERATIONAL_EVENTS}, mine as (
  -- Locked in id order, as lease renewal (claim.ts) locks them, so that the two never deadlock.
  select d.id, d.channel, d.entity_id, done.chain_next from webhook_deliveries d join done on d.id = done.delivery_id
  where d.leased_by = $2 order by d.id for update of d
), delivered as (
  update webhook_deliveries d set status = 'SUCCEEDED', completed_at = now(), lease_until = null, leased_by = null
  from mine where d.id = mine.id
), ${SETTINGS_CTE}, due as (
  select m.id as after_id, n.id from mine m cross join lateral (
    select n.id from webhook_deliveries n join webhook_channels c on c.channel = n.channel
    where n.channel = m.channel and n.entity_id = m.entity_id and n.id > m.id
      and ${deliveryIsDue('n')} and ${deliveryIsEntityHead('n', 'select id from mine')}
      and ${channelIsOn('c')} and not (select offline_mode from settings)
    order by n.id
    limit 1
    for update of n skip locked
  ) n
  where m.chain_next
), chained as (
  ${leaseDue('$4', '$2', 'due.after_id::text as after_id')}
)
select count(pg_notify('${NOTIFY.deliveries}', delivery_id::text)) as notified, (select n from ops_notified) as operational_events,
  (select json_object_agg(delivery_id, id::text) from attempts) as attempt_ids,
  (select json_agg(chained) from chained) as chained
from done`;

/**
 * What became of a success's record: the attempt's id in the delivery log; `excerptRefused`
 * when it was written without the answer's excerpt, and why; `next`, the next delivery of the
 * same entity, leased to this instance, when one was due and chaining was asked for.
 */
export type SuccessRecorded = { attemptId: string; excerptRefused?: unknown; next?: ClaimedDelivery };

type Written = { attemptIds: Record<string, string>; next: Map<string, ClaimedDelivery> };

function recorded(written: Written, deliveryId: string): SuccessRecorded {
  const next = written.next.get(deliveryId);
  return { attemptId: written.attemptIds[deliveryId]!, ...(next && { next }) };
}

type Waiting = { success: Success; resolve: (recorded: SuccessRecorded) => void; reject: (err: unknown) => void };

/**
 * Records successful attempts in batches, as a database groups commits: the first success
 * is written at once, and those that finish while a write is under way go together in the
 * next one. A busy worker so pays one round trip for many deliveries instead of six for
 * each, and an idle one waits for nothing.
 */
export class SuccessRecorder {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly sql: SqlPool,
    private readonly workerId: string,
    private readonly circuitFailures: number,
    private readonly leaseMs: number,
  ) {}

  /** Resolves once the success is written; rejects when the write failed (the lease then runs out and the delivery is retried). */
  record(success: Success): Promise<SuccessRecorded> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ success, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        const written = await this.write(batch, true);
        for (const w of batch) w.resolve(recorded(written, w.success.deliveryId));
      } catch (err) {
        if (batch.length === 1) await this.writeWithoutExcerpt(batch[0]!, err);
        // One row PostgreSQL refuses must not cost the others their record: write them one by one.
        else {
          for (const one of batch) {
            await this.write([one], true).then(
              (written) => one.resolve(recorded(written, one.success.deliveryId)),
              (e: unknown) => this.writeWithoutExcerpt(one, e),
            );
          }
        }
      }
    }
    this.writing = false;
  }

  /**
   * After PostgreSQL refused a success's record, whatever the reason, the success is recorded
   * without the answer's excerpt (as record-failure.ts does for a failure): a delivery that
   * reached its receiver must not be sent again for want of a kilobyte of its answer.
   */
  private async writeWithoutExcerpt(one: Waiting, refusal: unknown): Promise<void> {
    if (!refusedByDatabase(refusal)) return one.reject(refusal);
    try {
      const written = await this.write([one], false);
      one.resolve({ ...recorded(written, one.success.deliveryId), excerptRefused: refusal });
    } catch (err) {
      one.reject(err);
    }
  }

  /** Writes the batch; returns each delivery's attempt id, and the next deliveries it claimed, by the delivery they follow. */
  private async write(batch: Waiting[], withExcerpt: boolean): Promise<Written> {
    const rows = batch.map(({ success: { deliveryId, channel, result, chainNext } }) => ({
      delivery_id: deliveryId,
      channel,
      started_at: result.startedAt.toISOString(),
      duration_ms: result.durationMs,
      http_status: result.httpStatus,
      response_excerpt: withExcerpt ? result.responseExcerpt : null,
      chain_next: chainNext,
    }));
    const { rows: [written] } = await this.sql.query<{ attempt_ids: Record<string, string>; chained: (ClaimedRow & { after_id: string })[] | null }>({
      name: 'record-successes',
      text: RECORD_SUCCESSES_SQL,
      values: [JSON.stringify(rows), this.workerId, this.circuitFailures, this.leaseMs / 1000],
    });
    return {
      attemptIds: written!.attempt_ids,
      next: new Map((written!.chained ?? []).map((row) => [row.after_id, toClaimed(row)])),
    };
  }
}
