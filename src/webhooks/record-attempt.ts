import type { EntityManager } from '@mikro-orm/postgresql';
import type { Channel } from '../events/event-types.js';
import type { Decision } from './retry-policy.js';
import type { AttemptResult } from './sender.js';

export const DELIVERY_NOTIFY_CHANNEL = 'recordengine_deliveries';

/**
 * Writes an attempt and its consequence in one transaction: the attempt row, the delivery's
 * new state (only while this instance still holds the lease), and the channel's health.
 */
export async function recordAttempt(
  em: EntityManager,
  opts: {
    deliveryId: string;
    channel: Channel;
    workerId: string;
    result: AttemptResult;
    decision: Decision;
    disableAfterMs: number;
  },
): Promise<{ channelDisabled: boolean }> {
  const { result, decision } = opts;
  return em.transactional(async (tx) => {
    await tx.execute(
      `insert into webhook_attempts (delivery_id, started_at, duration_ms, http_status, ok, response_excerpt, error) values (?, ?, ?, ?, ?, ?, ?)`,
      [opts.deliveryId, result.startedAt, result.durationMs, result.httpStatus, result.ok, result.responseExcerpt, result.error],
    );
    if (decision.action === 'succeeded') {
      await tx.execute(
        `update webhook_deliveries set status = 'SUCCEEDED', completed_at = now(), lease_until = null, leased_by = null where id = ? and leased_by = ?`,
        [opts.deliveryId, opts.workerId],
      );
      await tx.execute(`update webhook_channels set failing_since = null where channel = ? and failing_since is not null`, [opts.channel]);
    } else if (decision.action === 'retry') {
      await tx.execute(
        `update webhook_deliveries set next_attempt_at = now() + make_interval(secs => ?), lease_until = null, leased_by = null where id = ? and leased_by = ?`,
        [decision.delayMs / 1000, opts.deliveryId, opts.workerId],
      );
    } else {
      await tx.execute(
        `update webhook_deliveries set status = 'FAILED', completed_at = now(), lease_until = null, leased_by = null where id = ? and leased_by = ?`,
        [opts.deliveryId, opts.workerId],
      );
    }
    let disableReason = decision.action === 'disable-channel' ? decision.reason : undefined;
    if (decision.action !== 'succeeded' && !disableReason) {
      // A channel that has failed without a single success for WEBHOOK_DISABLE_AFTER is switched off.
      const [row] = await tx.execute<{ failing_for_ms: number }[]>(
        `update webhook_channels set failing_since = coalesce(failing_since, now()) where channel = ?
         returning extract(epoch from now() - failing_since) * 1000 as failing_for_ms`,
        [opts.channel],
      );
      if (row && Number(row.failing_for_ms) >= opts.disableAfterMs) {
        disableReason = `no successful delivery for ${Math.round(Number(row.failing_for_ms) / 3_600_000)} h of failures`;
      }
    }
    if (disableReason) await disableChannel(tx, opts.channel, disableReason);
    await tx.execute(`select pg_notify('${DELIVERY_NOTIFY_CHANNEL}', ?)`, [opts.deliveryId]);
    return { channelDisabled: disableReason !== undefined };
  });
}

/** Switches a channel off and fails what was waiting on it (redeliverWebhook or a replay can queue it again). */
export async function disableChannel(tx: EntityManager, channel: Channel, reason: string) {
  await tx.execute(`update webhook_channels set enabled = false, disabled_at = now(), disabled_reason = ? where channel = ?`, [reason, channel]);
  await tx.execute(
    `update webhook_deliveries set status = 'FAILED', completed_at = now(), lease_until = null, leased_by = null where channel = ? and status = 'PENDING'`,
    [channel],
  );
}
