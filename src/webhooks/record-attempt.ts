import type { EntityManager } from '@mikro-orm/postgresql';
import { formatDuration } from '../duration.js';
import type { Channel } from '../events/event-types.js';
import { disableChannel } from './channel-state.js';
import type { Decision } from './retry-policy.js';
import type { AttemptResult } from './sender.js';

export const DELIVERY_NOTIFY_CHANNEL = 'recordengine_deliveries';

/**
 * Writes an attempt and its consequence in one transaction: the attempt row, the channel's
 * health (a success clears it; failing without a success for WEBHOOK_DISABLE_AFTER, or a
 * 410, switches the channel off), and the delivery's new state, written only while this
 * instance still holds the lease (after it ran out, another instance owns the delivery).
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
    let disableReason = decision.action === 'disable-channel' ? decision.reason : undefined;
    if (decision.action === 'succeeded') {
      await tx.execute(`update webhook_channels set failing_since = null where channel = ? and failing_since is not null`, [opts.channel]);
    } else if (!disableReason) {
      const [row] = await tx.execute<{ failing_for_ms: number }[]>(
        `update webhook_channels set failing_since = coalesce(failing_since, now()) where channel = ? and enabled
         returning extract(epoch from now() - failing_since) * 1000 as failing_for_ms`,
        [opts.channel],
      );
      if (row && Number(row.failing_for_ms) >= opts.disableAfterMs) {
        disableReason = `no attempt succeeded for ${formatDuration(Number(row.failing_for_ms))} (WEBHOOK_DISABLE_AFTER is ${formatDuration(opts.disableAfterMs)})`;
      }
    }
    if (disableReason) await disableChannel(tx, opts.channel, disableReason);

    const mine = `where d.id = ? and d.leased_by = ?`;
    if (decision.action === 'succeeded') {
      await tx.execute(`update webhook_deliveries d set status = 'SUCCEEDED', completed_at = now(), lease_until = null, leased_by = null ${mine}`, [
        opts.deliveryId,
        opts.workerId,
      ]);
    } else if (decision.action === 'retry') {
      // A channel switched off meanwhile (here or by a user) keeps nothing waiting.
      await tx.execute(
        `update webhook_deliveries d
         set status = case when c.is_on then 'PENDING' else 'FAILED' end,
             completed_at = case when c.is_on then null else now() end,
             next_attempt_at = now() + make_interval(secs => ?), lease_until = null, leased_by = null
         from (select enabled and url is not null as is_on from webhook_channels where channel = ?) c ${mine}`,
        [decision.delayMs / 1000, opts.channel, opts.deliveryId, opts.workerId],
      );
    } else {
      await tx.execute(`update webhook_deliveries d set status = 'FAILED', completed_at = now(), lease_until = null, leased_by = null ${mine}`, [
        opts.deliveryId,
        opts.workerId,
      ]);
    }
    await tx.execute(`select pg_notify('${DELIVERY_NOTIFY_CHANNEL}', ?)`, [opts.deliveryId]);
    return { channelDisabled: disableReason !== undefined };
  });
}
