import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Deletes events older than the retention period that nothing waits on any more; their
 * deliveries and attempts go with them (foreign keys cascade). Bounded per call so that
 * one purge never holds locks for long.
 */
export async function purgeExpired(em: EntityManager, retentionMs: number, batch = 5_000): Promise<number> {
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
  return Number(rows[0]!.n);
}
