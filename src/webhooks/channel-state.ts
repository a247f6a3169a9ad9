import type { EntityManager, QueryResult } from '@mikro-orm/postgresql';
import type { Channel } from '../events/event-types.js';

/** A pending delivery no attempt is under way for: what fails when its channel goes off. */
export const WAITING_DELIVERY = `status = 'PENDING' and (lease_until is null or lease_until < now())`;

/**
 * A channel that is off (switched off, by a user or by the service, or without a URL) has
 * nothing waiting: its pending deliveries fail, where redeliverWebhook or replayWebhooks can
 * queue them again. Deliveries in flight are left to their attempt, which records the
 * outcome (a failure then fails them, since the channel is off). Returns how many failed.
 */
export async function failWaitingDeliveries(tx: EntityManager, channel: Channel): Promise<number> {
  const { affectedRows } = await tx.execute<QueryResult>(
    `update webhook_deliveries set status = 'FAILED', completed_at = now(), lease_until = null, leased_by = null
     where channel = ? and ${WAITING_DELIVERY}`,
    [channel],
    'run',
  );
  return affectedRows;
}
