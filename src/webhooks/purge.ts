import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Deletes events older than the retention period that nothing waits on any more; their
 * deliveries and attempts go with them (foreign keys cascade). Works in bounded batches, each
 * its own statement, so that a purge never holds many locks for long; returns how many events
 * it deleted.
 */
export async function purgeExpired(em: EntityManager, retentionMs: number, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await em.execute<{ n: string }[]>(
      `with gone as (
         delete from events where seq in (
           select e.seq from events e
           where e.occurred_at < now() - make_interval(secs => ?)
             and not exists (select 1 from webhook_deliveries d where d.event_seq = e.seq and d.status = 'PENDING')
           order by e.seq limit ?)
         returning 1)
       select count(*) as n from gone`,
      [retentionMs / 1000, batch],
    );
    const n = Number(rows[0]!.n);
    total += n;
    if (n < batch) return total;
  }
}
