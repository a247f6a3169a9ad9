import type { EntityManager, QueryResult } from '@mikro-orm/postgresql';
import type { DeliveryTarget } from './target.js';
import { deliveryIsWaiting } from './sql-conditions.js';

/**
 * A channel that is off (switched off, by a user or by the service, or without a URL) has
 * nothing waiting: its pending deliveries fail, where redeliverWebhook or replayWebhooks can
 * queue them again. Deliveries in flight are left to their attempt, which records the
 * outcome (a failure then fails them, since the channel is off). Returns how many failed.
 */
export async function failWaitingDeliveries(tx: EntityManager, channel: DeliveryTarget): Promise<number> {
  const { affectedRows } = await tx.execute<QueryResult>(
    `update webhook_deliveries set status = 'FAILED', completed_at = now(), lease_until = null, leased_by = null
     where channel = ? and ${deliveryIsWaiting('webhook_deliveries')}`,
    [channel],
    'run',
  );
  return affectedRows;
}
