import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../db/delete-in-batches.js';

/**
 * Deletes events older than the retention period that nothing waits on any more; their
 * deliveries and attempts go with them (foreign keys cascade). Returns how many events it
 * deleted.
 */
export function purgeExpired(em: EntityManager, retentionMs: number, batch = 5_000): Promise<number> {
  return deleteInBatches(
    em,
    `delete from events where seq in (
       select e.seq from events e
       where e.occurred_at < now() - make_interval(secs => ?)
         and not exists (select 1 from webhook_deliveries d where d.event_seq = e.seq and d.status = 'PENDING')
       order by e.seq limit ?)
     returning 1`,
    [retentionMs / 1000],
    batch,
  );
}
