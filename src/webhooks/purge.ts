import type { EntityManager } from '@mikro-orm/postgresql';
import { deliveryIsPending } from './sql-conditions.js';

const WAITING = `exists (select 1 from webhook_deliveries d where d.event_seq = e.seq and ${deliveryIsPending('d')})`;

/**
 * Deletes events older than the retention period that nothing waits on any more; their
 * deliveries and attempts go with them (foreign keys cascade). Returns how many events it
 * deleted.
 *
 * A check and a delete in one statement would not do: the check sees the statement's
 * snapshot, so a redelivery or a replay that commits before the delete reaches the event
 * would be deleted with it. Each batch is therefore a transaction that first locks its
 * events FOR UPDATE, then checks again and deletes in a second statement, whose snapshot is
 * taken after the lock. Redelivery and replay lock the event FOR KEY SHARE first (as any
 * insert of a delivery does), which conflicts: one that committed before the lock is seen
 * by the second statement, and one that comes after waits and finds the event gone. Events
 * locked by one under way are skipped until the next purge.
 *
 * The batch also records the newest position it deleted in events_purged: a cursor below
 * it has lost an event after it and is refused (CURSOR_EXPIRED).
 */
export async function purgeExpired(em: EntityManager, retentionMs: number, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { locked, deleted } = await em.transactional(async (tx) => {
      const seqs = await tx.execute<{ seq: string }[]>(
        `select e.seq::text as seq from events e
         where e.occurred_at < now() - make_interval(secs => ?) and not ${WAITING}
         order by e.seq limit ? for update of e skip locked`,
        [retentionMs / 1000, batch],
      );
      if (seqs.length === 0) return { locked: 0, deleted: 0 };
      const [row] = await tx.execute<{ n: string }[]>(
        `with gone as (
           delete from events e where e.seq in (select value::bigint from jsonb_array_elements_text(?::jsonb)) and not ${WAITING}
           returning e.txid, e.seq
         ), newest as (
           select txid, seq from gone order by txid desc, seq desc limit 1
         ), marked as (
           update events_purged p set txid = newest.txid, seq = newest.seq from newest where (p.txid, p.seq) < (newest.txid, newest.seq)
         )
         select count(*) as n from gone`,
        [JSON.stringify(seqs.map((s) => s.seq))],
      );
      return { locked: seqs.length, deleted: Number(row!.n) };
    });
    total += deleted;
    if (locked < batch) return total;
  }
}
