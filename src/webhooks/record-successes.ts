import type { SqlPool } from '../db/sql-pool.js';
import type { Channel } from '../events/event-types.js';
import { APPEND_OPERATIONAL_EVENTS, channelEntitySql, isoSql } from './operational-events.js';
import { refusedByDatabase } from './record-failure.js';
import type { AttemptResult } from './sender.js';
import { NOTIFY } from '../db/notify-channels.js';

export type Success = { deliveryId: string; channel: Channel; result: AttemptResult };

/**
 * What record-failure.ts writes for a success, for many successes in one statement (one
 * statement is one transaction): the attempt rows, the channels' health cleared, each
 * delivery SUCCEEDED while this instance still holds its lease, a NOTIFY per delivery, and
 * channel.recovered for a channel whose circuit was open ($3 failures in a row or more).
 * Every data-modifying CTE runs to completion whether or not the final select reads it.
 */
const RECORD_SUCCESSES_SQL = `
with done as (
  select * from jsonb_to_recordset($1::jsonb)
    as t(delivery_id bigint, channel text, started_at timestamptz, duration_ms int, http_status int, response_excerpt text)
), attempts as (
  insert into webhook_attempts (delivery_id, started_at, duration_ms, http_status, ok, response_excerpt, error)
  select delivery_id, started_at, duration_ms, http_status, true, response_excerpt, null from done
  returning id, delivery_id
), healthy as (
  -- prev is the row as it was: RETURNING gives the new values.
  update webhook_channels c set failing_since = null, consecutive_failures = 0
  from webhook_channels prev
  where prev.channel = c.channel and c.channel in (select channel from done) and (c.failing_since is not null or c.consecutive_failures > 0)
  returning c.channel, c.url, prev.consecutive_failures as failures, prev.failing_since
), ops (type, entity_id, payload) as (
  select 'channel.recovered', ${channelEntitySql('h.channel')}, json_build_object(
      'channel', lower(h.channel), 'url', h.url, 'failing_since', ${isoSql('h.failing_since')},
      'failed_attempts', h.failures, 'recovered_at', ${isoSql('now()')})
  from healthy h where h.channel <> 'OPERATIONS' and h.failures >= $3
), ${APPEND_OPERATIONAL_EVENTS}, mine as (
  -- Locked in id order, as lease renewal (claim.ts) locks them, so that the two never deadlock.
  select d.id from webhook_deliveries d join done on d.id = done.delivery_id where d.leased_by = $2 order by d.id for update of d
), delivered as (
  update webhook_deliveries d set status = 'SUCCEEDED', completed_at = now(), lease_until = null, leased_by = null
  from mine where d.id = mine.id
)
select count(pg_notify('${NOTIFY.deliveries}', delivery_id::text)) as notified, (select n from ops_notified) as operational_events,
  (select json_object_agg(delivery_id, id::text) from attempts) as attempt_ids
from done`;

/** What became of a success's record: the attempt's id in the delivery log; `excerptRefused` when it was written without the answer's excerpt, and why. */
export type SuccessRecorded = { attemptId: string; excerptRefused?: unknown };

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
        const ids = await this.write(batch, true);
        for (const w of batch) w.resolve({ attemptId: ids[w.success.deliveryId]! });
      } catch (err) {
        if (batch.length === 1) await this.writeWithoutExcerpt(batch[0]!, err);
        // One row PostgreSQL refuses must not cost the others their record: write them one by one.
        else {
          for (const one of batch) {
            await this.write([one], true).then(
              (ids) => one.resolve({ attemptId: ids[one.success.deliveryId]! }),
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
      const ids = await this.write([one], false);
      one.resolve({ attemptId: ids[one.success.deliveryId]!, excerptRefused: refusal });
    } catch (err) {
      one.reject(err);
    }
  }

  /** Writes the batch; returns each delivery's attempt id. */
  private async write(batch: Waiting[], withExcerpt: boolean): Promise<Record<string, string>> {
    const rows = batch.map(({ success: { deliveryId, channel, result } }) => ({
      delivery_id: deliveryId,
      channel,
      started_at: result.startedAt.toISOString(),
      duration_ms: result.durationMs,
      http_status: result.httpStatus,
      response_excerpt: withExcerpt ? result.responseExcerpt : null,
    }));
    const { rows: [recorded] } = await this.sql.query<{ attempt_ids: Record<string, string> }>({
      name: 'record-successes',
      text: RECORD_SUCCESSES_SQL,
      values: [JSON.stringify(rows), this.workerId, this.circuitFailures],
    });
    return recorded!.attempt_ids;
  }
}
